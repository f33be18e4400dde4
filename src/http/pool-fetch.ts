import { HttpPool } from './http-pool.js';

/**
 * A `fetch` for DNS provider APIs behind a private CA: requests go through an HttpPool that
 * trusts `ca` (instead of turning verification off, which is what people do otherwise).
 * Covers what the providers use: method, headers, a string or form body, the signal.
 */
export function poolFetch(ca: string): typeof fetch {
  const pool = new HttpPool({ ca });
  const f = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const body = init.body === undefined || init.body === null ? undefined : init.body instanceof URLSearchParams ? init.body.toString() : String(init.body as string);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
    const res = await pool.request(init.method ?? 'GET', url, { headers, signal: init.signal ?? AbortSignal.timeout(60_000), ...(body === undefined ? {} : { body }) });
    const nullBody = res.status === 204 || res.status === 304 || res.status < 200;
    return new Response(nullBody ? null : res.body, { status: res.status, headers: res.headers.entries() });
  };
  return f;
}
