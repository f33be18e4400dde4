import { describe, expect, it } from 'vitest';
import type { FetchLike, FetchLikeResponse } from '../http/pool-fetch.js';
import { ProviderHttp, type ProviderHttpOptions } from './provider-http.js';

const SECRET = 'tok-0123456789abcdef';

/** The error a call failed with (a call that succeeds fails the test). */
async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

function answer(status: number, body: string, headers: Record<string, string> = {}): FetchLikeResponse {
  return { ok: status < 300, status, headers: { get: (n) => headers[n.toLowerCase()] ?? null }, text: () => Promise.resolve(body), json: () => Promise.resolve(JSON.parse(body)) };
}

/** A fetch that plays the given answers in order and records what was asked. */
function scripted(answers: (FetchLikeResponse | Error)[]) {
  const calls: { url: string; method: string; headers: Record<string, string>; at: number }[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: init.headers ?? {}, at: Date.now() });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch, calls };
}

function client(fetch: FetchLike, extra: Partial<ProviderHttpOptions> = {}) {
  return new ProviderHttp({
    label: 'Example provider main', baseUrl: 'https://api.example.test/v1/', fetch,
    auth: () => ({ authorization: `Bearer ${SECRET}` }), secrets: () => [SECRET],
    authHint: 'the token needs DNS write access', errorDetail: (_s, body) => body || undefined, ...extra,
  });
}

const signal = () => AbortSignal.timeout(10_000);

describe('ProviderHttp', () => {
  it('joins base and path, adds the query and the auth headers, and parses JSON', async () => {
    const { fetch, calls } = scripted([answer(200, '{"ok":1}')]);
    const res = await client(fetch).request('GET', '/zones', { signal: signal(), query: { name: 'example.com', page: 2, skip: undefined } });
    expect(res.json()).toEqual({ ok: 1 });
    expect(calls[0]!.url).toBe('https://api.example.test/v1/zones?name=example.com&page=2');
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('waits for Retry-After on a 429, then succeeds', async () => {
    const { fetch, calls } = scripted([answer(429, 'slow down', { 'retry-after': '1' }), answer(200, '{}')]);
    await client(fetch).request('POST', '/records', { signal: signal(), json: { a: 1 } });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('fails retryably when Retry-After is longer than it will wait', async () => {
    const { fetch, calls } = scripted([answer(429, '', { 'retry-after': '3600' })]);
    await expect(client(fetch).request('GET', '/zones', { signal: signal() })).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true, status: 429 });
    expect(calls).toHaveLength(1);
  });

  it('an answer `throttled` calls a rate limit (Route 53: 400 Throttling) is retried like a 429, even for a POST; other 400s are not', async () => {
    const throttled = (status: number, body: string) => status === 400 && body.includes('Throttling');
    const { fetch, calls } = scripted([answer(400, 'Throttling: Rate exceeded'), answer(200, '{}')]);
    await client(fetch, { throttled }).request('POST', '/records', { signal: signal(), json: {} });
    expect(calls).toHaveLength(2);
    const bad = scripted([answer(400, 'InvalidChangeBatch')]);
    await expect(client(bad.fetch, { throttled }).request('POST', '/records', { signal: signal(), json: {} })).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: false, status: 400 });
    expect(bad.calls).toHaveLength(1);
  });

  it('retries a 5xx for a GET but not for a POST (it may have been applied)', async () => {
    const get = scripted([answer(503, ''), answer(200, '{}')]);
    await client(get.fetch).request('GET', '/zones', { signal: signal() });
    expect(get.calls).toHaveLength(2);
    const post = scripted([answer(503, 'busy')]);
    await expect(client(post.fetch).request('POST', '/records', { signal: signal(), json: {} })).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true, status: 503 });
    expect(post.calls).toHaveLength(1);
  });

  it('an answer the API uses for refused credentials (not 401/403) is DNS_AUTH too, even where the status is accepted', async () => {
    const { fetch } = scripted([answer(400, '{"status":"ERROR","message":"Invalid API key. (002)"}')]);
    const err = await failure(client(fetch, { authRefused: (_s, body) => body.includes('API key') }).request('POST', '/retrieve', { signal: signal(), json: {}, accept: [400] }));
    expect(err).toMatchObject({ code: 'DNS_AUTH', status: 400, message: expect.stringContaining('Invalid API key. (002)') });
  });

  it('retries a 5xx for a POST the caller declares idempotent (a read sent as POST)', async () => {
    const read = scripted([answer(503, ''), answer(200, '{}')]);
    await client(read.fetch).request('POST', '/retrieve', { signal: signal(), json: {}, idempotent: true });
    expect(read.calls).toHaveLength(2);
  });

  it('401 and 403 are DNS_AUTH naming the provider and the permission, with the echoed secret scrubbed', async () => {
    const { fetch } = scripted([answer(403, `{"error":"token ${SECRET} may not write"}`)]);
    const err = await failure(client(fetch).request('POST', '/records', { signal: signal(), json: {} }));
    expect(err).toMatchObject({ code: 'DNS_AUTH', retryable: false });
    expect(err.message).toContain('Example provider main');
    expect(err.message).toContain('the token needs DNS write access');
    expect(err.message).not.toContain(SECRET);
  });

  it('a 400 that is not the refusal the API uses stays DNS_PROVIDER', async () => {
    const { fetch } = scripted([answer(400, '{"errorCode":"INVALID_SIGNATURE","message":"Invalid signature"}'), answer(400, '{"message":"bad ttl"}')]);
    const authRefused = (status: number, body: string) => status === 400 && body.includes('INVALID_SIGNATURE');
    await expect(client(fetch, { authRefused }).request('GET', '/zones', { signal: signal() })).rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('the token needs DNS write access') });
    await expect(client(fetch, { authRefused }).request('GET', '/zones', { signal: signal() })).rejects.toMatchObject({ code: 'DNS_PROVIDER', status: 400 });
  });

  it('a 404 about a zone is DNS_ZONE_NOT_FOUND; an accepted status is returned', async () => {
    const { fetch } = scripted([answer(404, 'no such zone'), answer(404, '{}')]);
    await expect(client(fetch).request('GET', '/zones/x', { signal: signal(), zone: 'example.com' })).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    expect((await client(fetch).request('DELETE', '/records/1', { signal: signal(), accept: [404] })).status).toBe(404);
  });

  it('a network error is retried for idempotent methods and then reported without the query', async () => {
    const { fetch, calls } = scripted([new Error('ECONNRESET'), new Error('ECONNRESET')]);
    const err = await failure(client(fetch, { maxRetries: 1 }).request('GET', `/records?key=${SECRET}`, { signal: signal() }));
    expect(calls).toHaveLength(2);
    expect(err).toMatchObject({ code: 'DNS_PROVIDER', retryable: true });
    expect(err.message).not.toContain(SECRET);
  });
});
