import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../../src/http/pool-fetch.js';
import { failure, scriptedFetch, type Playable } from './scripted-fetch.js';

export interface TokenApiErrorCase {
  /** A GET the provider makes first (a zone lookup), through a fetch given here, with maxRetries 1. */
  call: (fetch: FetchLike, token: string) => Promise<unknown>;
  /** A recorded answer that makes `call` succeed. */
  ok: Playable;
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
      const err = await failure(c.call(scriptedFetch([echo(status)]).fetch, TOKEN));
      expect(err.code).toBe('DNS_AUTH');
      expect(err.message).toMatch(c.permission);
      expect(err.message).not.toContain(TOKEN);
    });

    it('429 waits for Retry-After, then goes on', async () => {
      const { fetch, calls } = scriptedFetch([{ status: 429, body: '{}', headers: { 'retry-after': '0' } }, c.ok]);
      await c.call(fetch, TOKEN);
      expect(calls).toHaveLength(2);
    });

    it('a 5xx on a GET is retried after a backoff; one that persists fails retryably, token scrubbed', async () => {
      const { fetch, calls } = scriptedFetch([{ status: 503, body: '' }, c.ok]);
      await c.call(fetch, TOKEN);
      expect(calls).toHaveLength(2);
      const err = await failure(c.call(scriptedFetch([echo(500), echo(500)]).fetch, TOKEN));
      expect(err).toMatchObject({ code: 'DNS_PROVIDER', retryable: true });
      expect(err.message).not.toContain(TOKEN);
    }, 15_000);
  });
}
