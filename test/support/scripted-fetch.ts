import type { FetchLike, FetchLikeResponse } from '../../src/http/pool-fetch.js';
import type { RecordedInteraction } from './cassette.js';

/** One request a scripted fetch saw. */
export interface ScriptedCall { method: string; url: string; headers: Record<string, string>; body: string; at: number }

/** A fetch answer: status, body text, headers. */
export function answer(status: number, body: string, headers: Record<string, string> = {}): FetchLikeResponse {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { ok: status >= 200 && status < 300, status, headers: { get: (n) => h[n.toLowerCase()] ?? null }, text: () => Promise.resolve(body), json: () => Promise.resolve(JSON.parse(body) as unknown) };
}

/** A recorded response, verbatim. */
export function recordedAnswer(i: RecordedInteraction): FetchLikeResponse {
  return answer(i.status, i.responseBody, i.responseHeaders);
}

/**
 * A fetch that plays answers in order (or picks one per request) and records what was asked:
 * for feeding a client the recorded answers of the real API without a server.
 */
export function scriptedFetch(answers: (FetchLikeResponse | Error)[] | ((call: ScriptedCall) => FetchLikeResponse)) {
  const calls: ScriptedCall[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    const call = { url, method: init.method ?? 'GET', headers: init.headers ?? {}, body: typeof init.body === 'string' ? init.body : '', at: Date.now() };
    calls.push(call);
    let next: FetchLikeResponse | Error | undefined;
    try {
      next = typeof answers === 'function' ? answers(call) : answers.shift();
    } catch (err) {
      next = err as Error;
    }
    if (!next) return Promise.reject(new Error(`no answer scripted for ${call.method} ${url}`));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch, calls };
}

/** The error a call failed with (a call that succeeds fails the test). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

/**
 * A fetch that answers each request with the next unused recorded interaction of the same
 * method, path and query (the host is ignored): replays a cassette to a client verbatim.
 */
export function replayFetch(recorded: RecordedInteraction[]) {
  const unused = [...recorded];
  return scriptedFetch((call) => {
    const u = new URL(call.url);
    const at = unused.findIndex((i) => i.method === call.method && i.url.pathname === u.pathname && i.url.search === u.search);
    if (at < 0) throw new Error(`no recorded interaction for ${call.method} ${u.pathname}${u.search}`);
    return recordedAnswer(unused.splice(at, 1)[0]!);
  });
}
