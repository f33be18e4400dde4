import { describe, expect, it } from 'vitest';
import type { FetchLike, FetchLikeResponse } from '../../src/http/pool-fetch.js';
import type { RecordedInteraction } from './cassette.js';

/** An answer to play: a recorded interaction verbatim, or a status and body. */
export type Answer = RecordedInteraction | { status: number; body: string; headers?: Record<string, string> };

export interface ReplayedCall { method: string; url: string; headers: Record<string, string>; body: string }

/** A fetch that plays the answers in order and keeps what it was asked; it throws when they run out. */
export function replayFetch(answers: Answer[]): { fetch: FetchLike; calls: ReplayedCall[] } {
  const calls: ReplayedCall[] = [];
  const queue = [...answers];
  const fetch: FetchLike = (url, init = {}) => {
    calls.push({ method: init.method ?? 'GET', url, headers: init.headers ?? {}, body: init.body === undefined ? '' : String(init.body) });
    const a = queue.shift();
    if (!a) return Promise.reject(new Error(`no answer left for ${init.method ?? 'GET'} ${url}`));
    const status = 'cassette' in a ? a.status : a.status;
    const body = 'cassette' in a ? a.responseBody : a.body;
    const headers = 'cassette' in a ? a.responseHeaders : a.headers ?? {};
    const res: FetchLikeResponse = {
      ok: status >= 200 && status < 300, status,
      headers: { get: (n) => headers[n.toLowerCase()] ?? null },
      text: () => Promise.resolve(body),
      json: () => Promise.resolve(JSON.parse(body) as unknown),
    };
    return Promise.resolve(res);
  };
  return { fetch, calls };
}

/** The error a promise failed with (one that succeeds fails the test). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

export interface TokenApiErrorCase {
  /** A GET the provider makes first (a zone lookup), through a fetch given here, with maxRetries 1. */
  call: (fetch: FetchLike, token: string) => Promise<unknown>;
  /** A recorded answer that makes `call` succeed. */
  ok: Answer;
  /** What a 401/403 message must say about the permission. */
  permission: RegExp;
}

const TOKEN = 'tok-SECRET-0123456789abcdef0123';

/**
 * The error mapping every token-authenticated provider shares (ProviderHttp under it), checked
 * per provider through its own client: 401/403 → DNS_AUTH naming the permission, 429 waits for
 * Retry-After, 5xx backs off, and the token never appears even when the API echoes it.
 */
export function describeTokenApiErrors(label: string, c: TokenApiErrorCase): void {
  const echo = (status: number) => ({ status, body: JSON.stringify({ message: `bad request with Authorization: Bearer ${TOKEN}`, error: { code: 'x', message: `token ${TOKEN}` } }) });

  describe(`${label}: error answers`, () => {
    it.each([401, 403])('%i is DNS_AUTH naming the permission, without the token even when the API echoes it', async (status) => {
      const err = await failure(c.call(replayFetch([echo(status)]).fetch, TOKEN));
      expect(err.code).toBe('DNS_AUTH');
      expect(err.message).toMatch(c.permission);
      expect(err.message).not.toContain(TOKEN);
    });

    it('429 waits for Retry-After, then goes on', async () => {
      const { fetch, calls } = replayFetch([{ status: 429, body: '{}', headers: { 'retry-after': '0' } }, c.ok]);
      await c.call(fetch, TOKEN);
      expect(calls).toHaveLength(2);
    });

    it('a 5xx on a GET is retried after a backoff; one that persists fails retryably, token scrubbed', async () => {
      const { fetch, calls } = replayFetch([{ status: 503, body: '' }, c.ok]);
      await c.call(fetch, TOKEN);
      expect(calls).toHaveLength(2);
      const err = await failure(c.call(replayFetch([echo(500), echo(500)]).fetch, TOKEN));
      expect(err).toMatchObject({ code: 'DNS_PROVIDER', retryable: true });
      expect(err.message).not.toContain(TOKEN);
    }, 15_000);
  });
}
