import type { AgentOptions as HttpAgentOptions, Agent as HttpAgentType, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent, AgentOptions as HttpsAgentOptions } from 'node:https';

// node:http through getBuiltinModule, not an ESM import: building its ESM namespace evaluates the
// lazy WebSocket exports, which load undici (23 ms of every CLI start, measured). At the first
// plain-HTTP request, not at start: a `certfleet issue` with nothing due asks no API, and node:http
// with its parser was a few milliseconds of its start.
const http = () => process.getBuiltinModule('node:http');
// node:https (and with it node:tls) at the first HTTPS request, not at start: loading node:tls
// parses Node's ~140 bundled root certificates into OpenSSL objects at once (a background thread
// it starts), 2.4 MB of an idle daemon's resident memory with nothing to renew (measured).
const https = () => process.getBuiltinModule('node:https');

export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null; entries(): [string, string][] };
  body: string;
  url: string;
}

export interface HttpRequestOptions {
  body?: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /**
   * Whether a request lost on a stale kept-alive socket is sent again as it is (default true).
   * false: a StaleSocketError is thrown instead, for a caller whose body must not be sent twice
   * (an ACME JWS: its nonce may count as used) and that rebuilds it.
   */
  resendStale?: boolean;
}

export interface HttpPoolOptions {
  /** PEM bundle that replaces the system roots for this pool (a private CA, pebble in tests). */
  ca?: string;
  maxSockets?: number;
  keepAliveMs?: number;
  /** Upper bound for one request when the caller's signal has none. */
  timeoutMs?: number;
  /** Answers larger than this are refused (a broken or hostile server cannot fill memory). */
  maxBodyBytes?: number;
}

/**
 * Keep-alive HTTP(S) requests on node:http, with an AbortSignal and a size limit. Written here
 * rather than taken from undici: undici's fetch measured 27 MB of resident memory in this
 * process (its WASM parser), a third of the idle daemon's budget, for a dozen request kinds.
 */
export class HttpPool {
  private httpsAgent: HttpsAgent | undefined;
  private readonly httpsOptions: HttpsAgentOptions;
  private httpAgent: HttpAgentType | undefined;
  private readonly httpOptions: HttpAgentOptions;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(opts: HttpPoolOptions = {}) {
    const common = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: opts.maxSockets ?? 16, maxFreeSockets: opts.maxSockets ?? 16, timeout: opts.keepAliveMs ?? 30_000 };
    // rejectUnauthorized stated here, not left to the default: the default reads
    // NODE_TLS_REJECT_UNAUTHORIZED, and that variable must not turn verification off.
    this.httpsOptions = { ...common, rejectUnauthorized: true, ...(opts.ca ? { ca: opts.ca } : {}) };
    this.httpOptions = common;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? 10 * 2 ** 20;
  }

  /**
   * One request. A kept-alive socket the server closed just as the request went out (ECONNRESET
   * or EPIPE on a reused socket, before any answer) means the server never read it: sent again
   * on another socket, a few times at most, so a CA that drops idle connections costs nothing.
   */
  async request(method: string, url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(method, url, opts);
      } catch (err) {
        if (!(err instanceof StaleSocketError)) throw err;
        if (opts.resendStale === false) throw err;
        if (attempt >= STALE_SOCKET_RETRIES) throw err.cause;
      }
    }
  }

  private send(method: string, url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
    const target = new URL(url);
    const isHttps = target.protocol === 'https:';
    if (!isHttps && target.protocol !== 'http:') return Promise.reject(new TypeError(`unsupported URL scheme ${target.protocol}`));
    if (opts.signal.aborted) return Promise.reject(callerReason(opts.signal));
    return new Promise<HttpResponse>((resolve, reject) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
      let answered = false;
      let settled = false;
      // Why the request was cut short: the caller's signal, or this pool's own limit. One timer
      // and one listener on the caller's signal, not AbortSignal.any over a timeout signal: that
      // combination was a measurable part of every request's CPU (a new signal, its weak
      // references in the caller's, and their finalization).
      let cutShort: Error | undefined;
      const req = (isHttps ? https().request : http().request)(target, { method, headers, ...(isHttps ? { agent: this.httpsAgent ??= new (https().Agent)(this.httpsOptions), rejectUnauthorized: true } : { agent: this.httpAgent ??= new (http().Agent)(this.httpOptions) }) }, (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxBodyBytes) {
            fail(new Error(`answer from ${url} larger than ${this.maxBodyBytes} bytes`));
            res.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          done();
          resolve({ status: res.statusCode ?? 0, headers: headerGetter(res), body: Buffer.concat(chunks).toString('utf8'), url });
        });
        res.on('error', (err: Error) => fail(cutShort ?? err));
      });
      // Settles at once: a request still queued for a socket (every one busy) emits nothing on
      // destroy until the agent hands it a socket, which could be a whole timeout away.
      const cut = (reason: Error) => {
        cutShort ??= reason;
        req.destroy(cutShort);
        fail(cutShort);
      };
      const onAbort = () => cut(callerReason(opts.signal));
      const timer = setTimeout(() => cut(Object.assign(new Error(`no answer from ${url} within ${this.timeoutMs} ms`), { name: 'TimeoutError' })), this.timeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
      };
      function fail(err: Error) {
        if (settled) return;
        settled = true;
        done();
        reject(err);
      }
      opts.signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (cutShort) return fail(cutShort);
        const stale = req.reusedSocket && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        fail(stale ? new StaleSocketError(err) : err);
      });
      req.end(opts.body);
    });
  }

  close(): void {
    this.httpsAgent?.destroy();
    this.httpAgent?.destroy();
  }
}

const STALE_SOCKET_RETRIES = 3;

/** A kept-alive socket was reset or closed before any answer: the server most likely never read the request. */
export class StaleSocketError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
    this.name = 'StaleSocketError';
  }
}

function callerReason(caller: AbortSignal): Error {
  return caller.reason instanceof Error ? caller.reason : new Error(String(caller.reason));
}

function headerGetter(res: IncomingMessage): HttpResponse['headers'] {
  const get = (name: string) => {
    const v = res.headers[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  return { get, entries: () => Object.keys(res.headers).map((k) => [k, get(k)!]) };
}
