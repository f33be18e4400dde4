import type { FetchLike, FetchLikeResponse } from '../../src/http/pool-fetch.js';
import type { RecordedInteraction } from './cassette.js';

/** One request a scripted fetch saw; `body` is '' when there was none. */
export interface ScriptedCall { method: string; url: string; headers: Record<string, string>; body: string; at: number }

/** One answer to play: status, body text, headers. */
export interface ScriptedAnswer { status: number; body: string; headers?: Record<string, string> }

/** A fetch answer: status, body text, headers. */
export function answer(status: number, body: string, headers: Record<string, string> = {}): FetchLikeResponse {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { ok: status >= 200 && status < 300, status, headers: { get: (n) => h[n.toLowerCase()] ?? null }, text: () => Promise.resolve(body), json: () => Promise.resolve().then(() => JSON.parse(body) as unknown) };
}

/** A recorded response, verbatim, as an answer to play. */
export function replay(i: RecordedInteraction): ScriptedAnswer {
  return { status: i.status, body: i.responseBody, headers: i.responseHeaders };
}

/** A recorded response, verbatim, as a fetch answer. */
export function recordedAnswer(i: RecordedInteraction): FetchLikeResponse {
  return answer(i.status, i.responseBody, i.responseHeaders);
}

/** What a scripted fetch plays: an answer, a fetch answer, a recorded interaction verbatim, or an error to throw. */
export type Playable = ScriptedAnswer | FetchLikeResponse | RecordedInteraction | Error;

/**
 * A fetch that plays answers in order (or picks one per request) and keeps what was asked: for
 * feeding a client the recorded answers of the real API without a server. Running out of
 * answers fails the call. The one scripted fetch of the tests (replayFetch below builds on it).
 */
export function scriptedFetch(answers: Playable[] | ((call: ScriptedCall) => Playable)): { fetch: FetchLike; calls: ScriptedCall[] } {
  const calls: ScriptedCall[] = [];
  // A copy: the caller's list stays as given (a test may read it afterwards).
  const queue = Array.isArray(answers) ? [...answers] : undefined;
  const fetch: FetchLike = (url, init = {}) => {
    const call: ScriptedCall = { url, method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body === undefined ? '' : String(init.body), at: Date.now() };
    calls.push(call);
    let next: Playable | undefined;
    try {
      next = typeof answers === 'function' ? answers(call) : queue?.shift();
    } catch (err) {
      next = err as Error;
    }
    if (!next) return Promise.reject(new Error(`no answer scripted for ${call.method} ${url}`));
    if (next instanceof Error) return Promise.reject(next);
    if ('cassette' in next) return Promise.resolve(recordedAnswer(next));
    return Promise.resolve('text' in next && typeof next.text === 'function' ? next : answer(next.status, (next as ScriptedAnswer).body, (next as ScriptedAnswer).headers));
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
