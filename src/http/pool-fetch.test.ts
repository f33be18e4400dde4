import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { poolFetch } from './pool-fetch.js';

describe('poolFetch (DNS APIs behind a private CA)', () => {
  it('verifies TLS: refused with the system roots, accepted with the private CA; form bodies and 204 work', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-ca-'));
    try {
      await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
      const [cert, key] = await Promise.all([readFile(`${dir}/c.pem`, 'utf8'), readFile(`${dir}/k.pem`, 'utf8')]);
      const server = createServer({ cert, key }, (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => { body += c.toString(); });
        req.on('end', () => (req.url === '/empty' ? res.writeHead(204).end() : res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' }).end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] }))));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        await expect(fetch(`${url}/x`)).rejects.toThrow();
        const f = poolFetch(cert);
        const res = await f(`${url}/x`, { method: 'POST', body: new URLSearchParams({ a: '1' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('retry-after')).toBe('3');
        expect(await res.json()).toEqual({ method: 'POST', body: 'a=1', type: 'application/x-www-form-urlencoded' });
        expect((await f(`${url}/empty`)).status).toBe(204);
      } finally {
        server.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
