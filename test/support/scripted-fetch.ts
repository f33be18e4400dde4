import type { FetchLike, FetchLikeResponse } from '../../src/http/pool-fetch.js';

/** One answer a scripted fetch plays: a status and body (recorded ones, verbatim), headers optional. */
export interface ScriptedAnswer { status: number; body: string; headers?: Record<string, string> }

export interface ScriptedCall { url: string; method: string; headers: Record<string, string>; body: string }

/** A fetch that plays the answers in order and keeps what was asked; one call too many fails the test. */
export function scriptedFetch(answers: ScriptedAnswer[]): { fetch: FetchLike; calls: ScriptedCall[] } {
  const calls: ScriptedCall[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body === undefined ? '' : String(init.body) });
    const next = answers.shift();
    if (!next) return Promise.reject(new Error(`no scripted answer for ${init.method ?? 'GET'} ${url}`));
    const headers = Object.fromEntries(Object.entries(next.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const res: FetchLikeResponse = {
      ok: next.status >= 200 && next.status < 300, status: next.status,
      headers: { get: (n) => headers[n.toLowerCase()] ?? null },
      text: () => Promise.resolve(next.body), json: () => Promise.resolve().then(() => JSON.parse(next.body) as unknown),
    };
    return Promise.resolve(res);
  };
  return { fetch, calls };
}
