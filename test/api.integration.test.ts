import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess } from './support/daemon-process.js';
import { freePort } from './support/free-port.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { runCertfleet } from './support/run-certfleet.js';
import { registerSecret } from './support/secret-scan.js';

let stack: LocalStack;
let apiPort: number;
const daemons: DaemonProcess[] = [];
const TOKEN = 'api-token-for-the-integration-test-4f2a9c';
registerSecret(TOKEN);

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  apiPort = await freePort();
});
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  await stack?.stop();
});

function configText(store: string, keyType = 'ecdsa-p256', more = ''): string {
  return localConfigText({
    store, pebble: stack.pebble, pdns: stack.pdns,
    certs: `  - name: filecert\n    domains: [filecert.example.test]\n    dns: home\n    key_type: ${keyType}\n${more}`,
    extraTop: `server:\n  listen: 127.0.0.1:0\n  api: { listen: "127.0.0.1:${apiPort}", token_file: api-token }\n`,
  });
}

async function startDaemon(file: string): Promise<{ d: DaemonProcess; api: string; health: string }> {
  const d = DaemonProcess.start(file);
  daemons.push(d);
  const [api, health] = await Promise.all([d.waitFor(d.msg('api_listening')), d.waitFor(d.msg('http_listening'))]);
  return { d, api: String(api.address), health: String(health.address) };
}

const json = { 'content-type': 'application/json' };

/** Sends `count` copies of a raw HTTP/1.1 request on one connection at once; resolves with everything answered. */
function pipelined(base: string, raw: string, count: number): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let text = '';
    let answered = 0;
    let scanned = 0;
    // Scanning goes on from the last status line found: one split between two chunks is found whole later.
    const status = /^HTTP\/1\.1 /gm;
    const socket = connect(Number(port), hostname, () => socket.write(raw.repeat(count)));
    socket.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      status.lastIndex = scanned;
      while (status.exec(text) !== null) {
        answered++;
        scanned = status.lastIndex;
      }
      if (answered >= count) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

describe('the management API (server.api)', () => {
  it('adds a certificate that pebble issues and a restart keeps, refuses bad input by field path, limits a flood while a renewal completes, removes it', async () => {
    const file = path.join(stack.dir, 'api.yaml');
    const store = path.join(stack.dir, 'store');
    await writeFile(path.join(stack.dir, 'api-token'), `${TOKEN}\n`);
    await writeFile(file, configText(store));
    let { d, api, health } = await startDaemon(file);
    const call = (route: string, init: RequestInit = {}, token: string | null = TOKEN) => fetch(`${api}${route}`, {
      ...init, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...init.headers as Record<string, string> },
    });
    const post = (body: unknown) => call('/v1/certificates', { method: 'POST', headers: json, body: typeof body === 'string' ? body : JSON.stringify(body) });
    await d.waitFor(d.msg('issued', { cert: 'filecert' }));

    // 401 without a token and with a wrong one: the same answer, nothing about the token.
    const denied = [await call('/v1/certificates', {}, null), await call('/v1/certificates', {}, `${TOKEN.slice(0, -1)}x`)];
    expect(denied.map((r) => [r.status, r.headers.get('www-authenticate')])).toEqual([[401, 'Bearer realm="certfleet"'], [401, 'Bearer realm="certfleet"']]);
    const [first, second] = await Promise.all(denied.map((r) => r.text()));
    expect(first).toBe(second);

    // Added as data, issued by pebble.
    const spec = { domains: ['shop.example.test'], dns: 'home' };
    const created = await post(spec);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ result: 'created', certificate: { name: 'shop.example.test', source: 'api' } });
    await d.waitFor(d.msg('issued', { cert: 'shop.example.test' }));
    expect(await readFile(path.join(store, 'live', 'shop.example.test', 'fullchain.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    const again = await post({ dns: 'home', domains: ['SHOP.example.test'] });
    expect([again.status, (await again.json() as { result: string }).result]).toEqual([200, 'unchanged']);

    // Bad input: each a problem with the field path and the config file's message.
    const problems = async (body: unknown) => {
      const r = await post(body);
      expect([r.status, r.headers.get('content-type')]).toEqual([expect.any(Number), 'application/problem+json']);
      return { status: r.status, body: await r.json() as { errors?: { path: string; message: string }[]; detail: string } };
    };
    expect(await problems('{"domains": [')).toMatchObject({ status: 400, body: { errors: [{ path: '', message: expect.stringMatching(/^malformed JSON/) }] } });
    expect(await problems({ domains: ['x.example.test'], dns: 'home', key_typ: 'rsa-2048' })).toMatchObject({ status: 400, body: { errors: [{ path: '', message: 'unknown key "key_typ" (did you mean "key_type"?)' }] } });
    expect(await problems({ domains: ['x.example.test', 'bad domain!'], dns: 'home' })).toMatchObject({ status: 400, body: { errors: [{ path: 'domains[1]' }] } });
    expect(await problems({ name: 'shop.example.test', domains: ['other.example.test'], dns: 'home' })).toMatchObject({ status: 409, body: { detail: expect.stringContaining('different spec') } });
    expect(await problems({ name: 'filecert', domains: ['y.example.test'], dns: 'home' })).toMatchObject({ status: 409, body: { detail: expect.stringContaining('config file') } });

    // The CLI reads server.api from the same config.
    const listed = await runCertfleet(['cert', 'list', '--config', file, '--json']);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    expect((JSON.parse(listed.stdout) as { certificates: { name: string; source: string }[] }).certificates.map((c) => [c.name, c.source])).toEqual([['filecert', 'file'], ['shop.example.test', 'api']]);

    // A restart reads the managed certificate back from the store: scheduled, not issued again.
    await d.stop();
    ({ d, api, health } = await startDaemon(file));
    expect(await d.waitFor(d.msg('started'))).toMatchObject({ certificates: 2 });
    const kept = await call('/v1/certificates/shop.example.test');
    expect(await kept.json()).toMatchObject({ name: 'shop.example.test', source: 'api', notAfter: expect.any(String) });
    expect((await fetch(`${health}/readyz`)).status).toBe(200);

    // A flood with the token: 429 + Retry-After, while a renewal (a key type edit) completes.
    const mark = d.records.length;
    await writeFile(file, configText(store, 'ecdsa-p384'));
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    let renewedAt: number | undefined;
    const started = performance.now();
    const renewed = d.waitFor(d.msg('renewed', { cert: 'filecert' }), 45_000, mark).then(() => { renewedAt = performance.now(); });
    // Waves of 10,000 requests (pipelined on 20 connections, so the client is not what limits the
    // rate), on until the renewal is done: it has to complete under the flood.
    const waves: number[] = [];
    while (renewedAt === undefined && performance.now() - started < 45_000) {
      const t0 = performance.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => pipelined(api, `GET /v1/certificates/filecert HTTP/1.1\r\nhost: api\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`, 500)));
      waves.push(performance.now() - t0);
      for (const text of answers) {
        for (const m of text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)) statuses.set(Number(m[1]), (statuses.get(Number(m[1])) ?? 0) + 1);
        retryAfter ??= /^retry-after: (\S+)\r$/im.exec(text)?.[1] ?? null;
      }
    }
    const ended = performance.now();
    await renewed;
    console.log(`flood: ${waves.length} waves of 10,000 requests, each in ${waves.map((w) => (w / 1000).toFixed(2)).join(', ')} s; ${statuses.get(429)} of ${[...statuses.values()].reduce((x, y) => x + y, 0)} answered 429; the renewal was done ${((renewedAt! - started) / 1000).toFixed(2)} s after the flood began`);
    // Every request answered: none dropped or left hanging by the limit.
    expect([...statuses.values()].reduce((x, y) => x + y, 0)).toBe(waves.length * 10_000);
    expect(renewedAt).toBeGreaterThan(started);
    expect(renewedAt).toBeLessThanOrEqual(ended);
    expect(statuses.get(429)).toBeGreaterThan(0);
    expect(retryAfter).toBe('1');
    expect([...statuses.keys()].sort()).toEqual([200, 429]);

    // The file takes the API's name: the file wins, and the conflict is reported in list and /readyz.
    const beforeEdit = d.records.length;
    await writeFile(file, configText(store, 'ecdsa-p384', '  - domains: [shop.example.test]\n    dns: home\n'));
    await d.waitFor(d.msg('config_reloaded'), 10_000, beforeEdit);
    const afterFirstEdit = d.records.length;
    expect(await (await fetch(`${health}/readyz`)).json()).toMatchObject({ status: 'ready', details: { managed: { conflicts: ['shop.example.test'] } } });
    const withConflict = await runCertfleet(['list', '--config', file, '--json']);
    expect(withConflict.stderr).toContain('shop.example.test is in the config file and was also added through the API');
    expect((await call('/v1/certificates/shop.example.test').then((r) => r.json()))).toMatchObject({ source: 'file', conflict: expect.any(String) });
    await writeFile(file, configText(store, 'ecdsa-p384'));
    await d.waitFor(d.msg('config_reloaded'), 10_000, afterFirstEdit);

    // Removed: gone from the API and the schedule; the certificate's files stay (revoke_removed is off).
    const listedBefore = await runCertfleet(['list', '--config', file, '--json']);
    expect((JSON.parse(listedBefore.stdout) as { name: string }[]).map((r) => r.name)).toEqual(['filecert', 'shop.example.test']);
    const removed = await call('/v1/certificates/shop.example.test', { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await call('/v1/certificates/shop.example.test')).status).toBe(404);
    expect((await call('/v1/certificates/filecert', { method: 'DELETE' })).status).toBe(409);
    const audit = daemons.flatMap((x) => x.records).filter((r) => r.msg === 'api_change');
    expect(audit.map((r) => [r.action, r.cert])).toEqual([['add', 'shop.example.test'], ['remove', 'shop.example.test']]);
    expect(audit.every((r) => typeof r.peer === 'string' && String(r.peer).startsWith('127.0.0.1:'))).toBe(true);
    expect(daemons.flatMap((x) => x.lines).join('\n')).not.toContain(TOKEN);
  }, 120_000);
});
