import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from './webhook-action.js';

let dir: string;
let server: Server;
let url: string;
let requests = 0;

/** An HTTPS receiver whose certificate nobody trusts (self-signed, made here). */
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-webhook-'));
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  server = createServer({ key: await readFile(`${dir}/k.pem`), cert: await readFile(`${dir}/c.pem`) }, (_req, res) => { requests++; res.writeHead(204).end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
});
afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('postWebhook over TLS', () => {
  it('NODE_TLS_REJECT_UNAUTHORIZED=0 does not turn certificate verification off', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      await expect(postWebhook(url, { event: 'renewed', certificate: 'web', domains: ['web.example.test'] }, { attempts: 1, timeoutMs: 5000 }, AbortSignal.timeout(10_000)))
        .rejects.toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringMatching(/^webhook to 127\.0\.0\.1:\d+: .*self[- ]signed.* \(after 1 attempt\)$/i) });
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
    expect(requests).toBe(0);
  });
});
