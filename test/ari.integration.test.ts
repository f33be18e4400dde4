import { createServer, type Server } from 'node:http';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPool } from '../src/http/http-pool.js';
import { parseConfig } from '../src/config/load-config.js';
import { composeRenewer } from '../src/daemon/compose.js';
import { FileStore } from '../src/store/file-store.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { captureLog } from './support/test-log.js';

const S = () => AbortSignal.timeout(10_000);

/**
 * Debian's pebble 2.4 has no renewalInfo. This fake, written from RFC 9773, serves pebble's
 * directory with a `renewalInfo` URL added, and answers renewalInfo itself from a script; every
 * other request goes to pebble directly (its URLs are absolute), so issuance stays real.
 */
interface AriFake { url: string; windows: Map<string, { start: string; end: string; retryAfter?: string }>; asked: string[]; close(): Promise<void> }

async function startAriFake(pebbleDirectory: string, ca: string): Promise<AriFake> {
  const pool = new HttpPool({ ca });
  const windows: AriFake['windows'] = new Map();
  const asked: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/dir') {
        const dir = JSON.parse((await pool.request('GET', pebbleDirectory, { signal: AbortSignal.timeout(5000) })).body) as Record<string, unknown>;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...dir, renewalInfo: `${base}/renewal-info` }));
        return;
      }
      const m = /^\/renewal-info\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && m) {
        asked.push(m[1]!);
        const w = windows.get(m[1]!);
        if (!w) return res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'unknown certificate' }));
        return res.writeHead(200, { 'content-type': 'application/json', 'retry-after': w.retryAfter ?? '21600' }).end(JSON.stringify({ suggestedWindow: { start: w.start, end: w.end } }));
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url: `${base}/dir`, windows, asked, close: async () => { await new Promise((r) => server.close(r)); pool.close(); } };
}

let stack: LocalStack;
let fake: AriFake;
beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  fake = await startAriFake(stack.pebble.directoryUrl, stack.pebble.caBundle);
});
afterAll(async () => {
  await fake?.close();
  await stack?.stop();
});

describe('ARI (RFC 9773) against a fake renewalInfo in front of pebble', () => {
  it('follows the CA window: waits while it is in the future, renews with replaces once it has passed', async () => {
    const store = path.join(stack.dir, 'ari');
    // The fake directory is plain HTTP: allow it by writing the URL after validation.
    const config = parseConfig(localConfigText({ store, pebble: stack.pebble, pdns: stack.pdns, certs: '  - name: w\n    domains: [w.example.test]\n    dns: home\n' }), 'ari.yaml');
    config.acme.directory = fake.url;
    const captured = captureLog();
    let now = Date.now();
    const requests: string[] = [];
    const { renewer } = composeRenewer(config, {
      log: captured.log, clock: { now: () => now },
      // Pebble rejects a share of nonces by default, so count only the orders it accepted.
      hooks: { onRequest: (r) => requests.push(`${r.method} ${new URL(r.url).pathname} ${r.status}`) },
    });
    const spec = config.certificates[0]!;
    try {
      const first = await renewer.process(spec, {}, AbortSignal.timeout(30_000));
      expect(first.result).toBe('issued');
      const meta = (await new FileStore({ root: store }).readMeta('w', S()))!;
      expect(meta.ariCertId).toMatch(/^[\w-]+\.[\w-]+$/);
      // Not asked yet: a new certificate's window is asked for at its first look.
      expect(fake.asked).toEqual([]);

      // A window ten days ahead: not due; the next look is at the chosen time (or the recheck, if sooner).
      const start = now + 10 * 86_400_000;
      fake.windows.set(meta.ariCertId!, { start: new Date(start).toISOString(), end: new Date(start + 86_400_000).toISOString(), retryAfter: '3600' });
      const waiting = await renewer.process(spec, {}, AbortSignal.timeout(30_000));
      expect(waiting).toMatchObject({ result: 'skipped', detail: expect.stringMatching(/^ARI window at /) });
      expect(waiting.next).toBe(now + 3_600_000);
      expect(fake.asked).toEqual([meta.ariCertId]);
      const { state } = await new FileStore({ root: store }).readState('w', S());
      const chosen = Date.parse(state.ari!.window!.chosen);
      expect(chosen).toBeGreaterThanOrEqual(start);
      expect(chosen).toBeLessThan(start + 86_400_000);

      // Asked again only after Retry-After.
      now += 60_000;
      await renewer.process(spec, {}, AbortSignal.timeout(30_000));
      expect(fake.asked).toHaveLength(1);

      // The CA moves the window into the past (say, a revocation is coming): renew at once, with replaces.
      fake.windows.set(meta.ariCertId!, { start: new Date(now - 7_200_000).toISOString(), end: new Date(now - 3_600_000).toISOString() });
      now += 3_600_000;
      const orderCount = requests.filter((r) => r.endsWith('/order-plz 201')).length;
      const renewed = await renewer.process(spec, {}, AbortSignal.timeout(30_000));
      expect(renewed).toMatchObject({ result: 'renewed' });
      expect(requests.filter((r) => r.endsWith('/order-plz 201')).length).toBe(orderCount + 1);
      expect(captured.records().find((r) => r.msg === 'obtaining' && r.reason === 'ARI window')).toBeDefined();
      const orders = captured.records().filter((r) => r.msg === 'new_order');
      expect(orders.map((r) => r.replaces)).toEqual([undefined, meta.ariCertId]);
      expect(await readdir(path.join(store, 'archive', 'w'))).toContain('cert2.pem');
      // The new certificate has its own identifier; the old window is forgotten.
      const { state: after } = await new FileStore({ root: store }).readState('w', S());
      expect(after.ari).toBeUndefined();
    } finally {
      await renewer.close();
    }
  });
});
