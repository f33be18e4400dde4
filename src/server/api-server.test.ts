import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import type { CertificateBackend } from './api-backend.js';
import { listFilter, startApiServer, type ApiServer } from './api-server.js';

const TOKEN = 'test-api-token-0123456789';
let server: ApiServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

/** A backend that records calls and answers as told. */
function fakeBackend(over: Partial<CertificateBackend> = {}): CertificateBackend & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    add: (entry) => { calls.push(`add ${JSON.stringify(entry)}`); return Promise.resolve({ kind: 'created', certificate: { name: 'web' } }); },
    remove: (name) => { calls.push(`remove ${name}`); return Promise.resolve({ kind: 'removed' }); },
    get: (name) => Promise.resolve(name === 'web' ? { name: 'web' } : undefined),
    list: (filter) => { calls.push(`list ${JSON.stringify(filter)}`); return Promise.resolve([{ name: 'web' }]); },
    ...over,
  };
}

async function start(backend: CertificateBackend, o: { rate?: number; burst?: number; now?: () => number } = {}) {
  const { log, lines } = captureLog([TOKEN]);
  server = await startApiServer({ listen: '127.0.0.1:0', token: () => TOKEN, backend, log, ...o });
  const call = (p: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
    return fetch(`${server!.address}${p}`, { ...init, headers });
  };
  return { call, lines };
}

const json = { 'content-type': 'application/json' };

describe('management API server', () => {
  it('answers 401 without the token and with a wrong one alike, with no hint of it', async () => {
    const backend = fakeBackend();
    const { call, lines } = await start(backend);
    const bodies: string[] = [];
    for (const token of [null, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const r = await call('/v1/certificates', { token });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      bodies.push(await r.text());
    }
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).not.toContain(TOKEN.slice(0, 6));
    expect(backend.calls).toEqual([]);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('creates (201), answers unchanged with 200, passes problems as RFC 9457 with field paths', async () => {
    let answer: Awaited<ReturnType<CertificateBackend['add']>> = { kind: 'created', certificate: { name: 'web' } };
    const { call } = await start(fakeBackend({ add: () => Promise.resolve(answer) }));
    const post = () => call('/v1/certificates', { method: 'POST', headers: json, body: '{"domains":["a.test"],"dns":"home"}' });
    expect((await post()).status).toBe(201);
    answer = { kind: 'unchanged', certificate: { name: 'web' } };
    const again = await post();
    expect([again.status, await again.json()]).toEqual([200, { result: 'unchanged', certificate: { name: 'web' } }]);
    answer = { kind: 'invalid', problems: [{ path: 'domains[0]', message: 'bad' }] };
    const bad = await post();
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: expect.stringMatching(/invalid-request$/), title: 'Bad request', status: 400, errors: [{ path: 'domains[0]', message: 'bad' }] });
    answer = { kind: 'conflict', detail: 'taken' };
    const taken = await post();
    expect([taken.status, (await taken.json() as { detail: string }).detail]).toEqual([409, 'taken']);
  });

  it('refuses a malformed body, another content type and an oversized body before the backend sees them', async () => {
    const backend = fakeBackend();
    const { call } = await start(backend);
    const malformed = await call('/v1/certificates', { method: 'POST', headers: json, body: '{"domains": [' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ errors: [{ path: '', message: expect.stringMatching(/^malformed JSON/) }] });
    expect((await call('/v1/certificates', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await call('/v1/certificates', { method: 'POST', headers: json, body: `{"x":"${'a'.repeat(70_000)}"}` })).status).toBe(413);
    expect(backend.calls).toEqual([]);
  });

  it('routes GET, DELETE and filters; 404 and 405 name what exists', async () => {
    const backend = fakeBackend({ remove: (name) => Promise.resolve(name === 'web' ? { kind: 'removed' } : { kind: 'not_found' }) });
    const { call } = await start(backend);
    expect(await (await call('/v1/certificates/web')).json()).toEqual({ name: 'web' });
    expect((await call('/v1/certificates/nope')).status).toBe(404);
    expect((await call('/v1/certificates/web', { method: 'DELETE' })).status).toBe(204);
    expect((await call('/v1/certificates/nope', { method: 'DELETE' })).status).toBe(404);
    const put = await call('/v1/certificates/web', { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, DELETE']);
    expect((await call('/v2/x')).status).toBe(404);
    expect((await call('/v1/certificates?status=expiring&within=30d')).status).toBe(200);
    expect(backend.calls).toContain(`list ${JSON.stringify({ status: 'expiring', withinMs: 30 * 86_400_000 })}`);
    const badQuery = await call('/v1/certificates?status=failng');
    expect(await badQuery.json()).toMatchObject({ status: 400, errors: [{ path: 'status', message: expect.stringContaining('did you mean "failing"') }] });
  });

  it('answers 429 with Retry-After past the rate, and a flood without the token does not starve the client', async () => {
    const t = 1_000_000;
    const { call } = await start(fakeBackend(), { rate: 5, burst: 10, now: () => t });
    const anonymous = await Promise.all(Array.from({ length: 20 }, () => call('/v1/certificates', { token: null })));
    expect(anonymous.filter((r) => r.status === 429)).toHaveLength(10);
    expect(anonymous.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('1');
    const client = await Promise.all(Array.from({ length: 12 }, () => call('/v1/certificates')));
    expect(client.map((r) => r.status).filter((s) => s === 200)).toHaveLength(10);
    expect(client.filter((r) => r.status === 429)).toHaveLength(2);
  });
});

describe('listFilter', () => {
  it('takes status and within, and names every problem', () => {
    expect(listFilter(new URLSearchParams(''))).toEqual({});
    expect(listFilter(new URLSearchParams('status=failing'))).toEqual({ status: 'failing' });
    expect(listFilter(new URLSearchParams('within=7d'))).toEqual({ withinMs: 7 * 86_400_000 });
    expect(listFilter(new URLSearchParams('statuss=failing&within=soon'))).toEqual({ problems: [
      { path: 'statuss', message: expect.stringContaining('did you mean "status"') },
      { path: 'within', message: 'expected a duration like 30d or 72h, got "soon"' },
    ] });
    expect(listFilter(new URLSearchParams('status=failing&within=7d'))).toMatchObject({ problems: [{ path: 'within' }] });
  });
});
