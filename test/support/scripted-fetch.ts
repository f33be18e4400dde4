import type { FetchLike, FetchLikeResponse } from '../../src/http/pool-fetch.js';
import type { RecordedInteraction } from './cassette.js';

/** One answer a scripted fetch plays: status, body text, headers (names lower case). */
export interface ScriptedAnswer { status: number; body: string; headers?: Record<string, string> }

/** A recorded response, verbatim, as a scripted answer. */
export function replay(i: RecordedInteraction): ScriptedAnswer {
  return { status: i.status, body: i.responseBody, headers: i.responseHeaders };
}

/**
 * A fetch that plays the given answers in order and keeps what was asked, for feeding a client
 * recorded answers without a server. Running out of answers fails the call.
 */
export function scriptedFetch(answers: ScriptedAnswer[]) {
  const calls: { method: string; url: string; headers: Record<string, string>; body: string | undefined }[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    calls.push({ method: init.method ?? 'GET', url, headers: init.headers ?? {}, body: typeof init.body === 'string' ? init.body : undefined });
    const a = answers.shift();
    if (!a) return Promise.reject(new Error(`no scripted answer left for ${init.method ?? 'GET'} ${url}`));
    const headers = a.headers ?? {};
    const res: FetchLikeResponse = { ok: a.status < 300, status: a.status, headers: { get: (n) => headers[n.toLowerCase()] ?? null }, text: () => Promise.resolve(a.body), json: () => Promise.resolve(JSON.parse(a.body)) };
    return Promise.resolve(res);
  };
  return { fetch, calls };
}
