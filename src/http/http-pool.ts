import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { Http1ResponseParser, HttpProtocolError, type ResponseHeaders } from './http1-response-parser.js';

// node:net and node:tls at the first request, not at start: a `certfleet issue` with nothing due
// asks no API. node:tls especially: loading it parses Node's ~140 bundled root certificates into
// OpenSSL objects (a background thread it starts), 2.4 MB of an idle daemon's resident memory.
const net = () => process.getBuiltinModule('node:net');
const tls = () => process.getBuiltinModule('node:tls');

/** What `requestSent` publishes: no query string, which some DNS APIs put a key in. */
export interface RequestSentMessage {
  method: string;
  /** Scheme, host and port. */
  origin: string;
  pathname: string;
  /** Whether the connection served an earlier request (false: a new connection). */
  reused: boolean;
}

/**
 * One message per request written to a socket (a resend is another). node:http's diagnostics
 * channels do not see this client: benchmarks and profiles count round trips and connections here.
 */
export const requestSent = channel('certfleet:http.request');

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
 * Keep-alive HTTP/1.1 requests on node:net and node:tls, with an AbortSignal and a size limit.
 *
 * Not node:http's client: its request and response objects, streams and agent cost ~0.25 ms of
 * CPU per request more than this (0.36 against 0.10-0.13 ms for a kept-alive HTTPS GET, measured
 * in docs/benchmarks.md), at ten requests per certificate, and loading node:http is a few
 * milliseconds of every one-shot start. Not undici: its fetch measured 27 MB of resident memory
 * in this process (its WASM parser), a third of the idle daemon's budget. certfleet sends a dozen
 * kinds of small request with a whole body and reads small whole answers, one at a time per
 * connection: that is all this does (no pipelining, no upgrades, no request streaming).
 */
export class HttpPool {
  private readonly origins = new Map<string, Origin>();
  private readonly maxSockets: number;
  private readonly keepAliveMs: number;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly ca: string | undefined;
  /** One TLS context for every connection: built once (its roots parsed once), not per connect. */
  private secureContext: SecureContext | undefined;

  constructor(opts: HttpPoolOptions = {}) {
    this.maxSockets = opts.maxSockets ?? 16;
    this.keepAliveMs = opts.keepAliveMs ?? 30_000;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? 10 * 2 ** 20;
    this.ca = opts.ca;
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
    let target: URL;
    let head: string;
    try {
      target = new URL(url);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new TypeError(`unsupported URL scheme ${target.protocol}`);
      head = requestHead(method, target, opts);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (opts.signal.aborted) return Promise.reject(callerReason(opts.signal));
    const origin = this.origin(target);
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let conn: Connection | undefined;
      // Why the request was cut short: the caller's signal, or this pool's own limit. One timer
      // and one listener on the caller's signal, not AbortSignal.any over a timeout signal: that
      // combination was a measurable part of every request's CPU (a new signal, its weak
      // references in the caller's, and their finalization).
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
      };
      const fail = (err: Error) => {
        if (settled) return;
        settle();
        reject(err);
      };
      // Settles at once, also while the request waits for a socket (every one busy).
      const cut = (reason: Error) => {
        if (settled) return;
        if (conn) conn.destroy();
        else origin.cancel(exchange);
        fail(reason);
      };
      const onAbort = () => cut(callerReason(opts.signal));
      const timer = setTimeout(() => cut(Object.assign(new Error(`no answer from ${url} within ${this.timeoutMs} ms`), { name: 'TimeoutError' })), this.timeoutMs);
      timer.unref();
      opts.signal.addEventListener('abort', onAbort, { once: true });
      const parser = new Http1ResponseParser({ head: method === 'HEAD', maxBodyBytes: this.maxBodyBytes });
      const exchange: Exchange = {
        start: (c) => {
          conn = c;
          if (requestSent.hasSubscribers) requestSent.publish({ method, origin: target.origin, pathname: target.pathname, reused: c.reused } satisfies RequestSentMessage);
          c.write(head, opts.body);
        },
        data: (chunk) => {
          let res;
          try {
            res = parser.push(chunk);
          } catch (err) {
            conn!.destroy();
            return fail(this.describe(err, url));
          }
          if (!res) return;
          if (settled) return;
          settle();
          origin.release(conn!, res.reusable);
          resolve({ status: res.status, headers: res.headers satisfies ResponseHeaders, body: res.body.toString('utf8'), url });
        },
        closed: (err) => {
          if (settled) return;
          if (!parser.started) {
            const lost = err ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
            const code = (lost as NodeJS.ErrnoException).code;
            return fail(conn?.reused === true && (code === 'ECONNRESET' || code === 'EPIPE') ? new StaleSocketError(lost) : lost);
          }
          if (err) return fail(err);
          try {
            const res = parser.end();
            settle();
            resolve({ status: res.status, headers: res.headers, body: res.body.toString('utf8'), url });
          } catch (e) {
            fail(this.describe(e, url));
          }
        },
      };
      origin.acquire(exchange);
    });
  }

  private describe(err: unknown, url: string): Error {
    if (err instanceof HttpProtocolError && err.code === 'HTTP_BODY_TOO_LARGE') return new HttpProtocolError(err.code, `answer from ${url} larger than ${this.maxBodyBytes} bytes`);
    if (err instanceof HttpProtocolError) return new HttpProtocolError(err.code, `bad HTTP answer from ${url}: ${err.message}`);
    return err as Error;
  }

  private origin(target: URL): Origin {
    const key = `${target.protocol}//${target.host}`;
    let o = this.origins.get(key);
    if (!o) {
      o = new Origin(target, this.maxSockets, this.keepAliveMs, () => (this.secureContext ??= tls().createSecureContext(this.ca ? { ca: this.ca } : {})));
      this.origins.set(key, o);
    }
    return o;
  }

  close(): void {
    for (const o of this.origins.values()) o.destroy();
  }
}

/** One request's side of a connection. */
interface Exchange {
  start(conn: Connection): void;
  data(chunk: Buffer): void;
  /** The connection closed, with the error that closed it if any. */
  closed(err: Error | undefined): void;
}

/**
 * The sockets to one scheme, host and port: at most `maxSockets` in use, the idle ones kept for
 * `keepAliveMs` (most recently used first, the least likely to have been closed by the server)
 * and unreferenced, so an idle connection never keeps a process alive; requests beyond the limit
 * wait in order.
 */
class Origin {
  private readonly idle: Connection[] = [];
  private readonly waiting: Exchange[] = [];
  /** Connections in use or connecting. */
  private readonly busy = new Set<Connection>();
  /** The last TLS session the server gave, to resume on the next connection (no full handshake). */
  session: Buffer | undefined;

  constructor(
    readonly target: URL,
    private readonly maxSockets: number,
    readonly keepAliveMs: number,
    readonly secureContext: () => SecureContext,
  ) {}

  acquire(x: Exchange): void {
    const conn = this.idle.pop() ?? (this.busy.size < this.maxSockets ? new Connection(this) : undefined);
    if (conn) {
      this.busy.add(conn);
      conn.use(x);
    } else {
      this.waiting.push(x);
    }
  }

  cancel(x: Exchange): void {
    const at = this.waiting.indexOf(x);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  /** A request on `conn` is answered: the connection serves the next waiting request, or idles. */
  release(conn: Connection, reusable: boolean): void {
    if (!reusable) return conn.destroy();
    const next = this.waiting.shift();
    if (next) return conn.use(next);
    this.busy.delete(conn);
    this.idle.push(conn);
    conn.park();
  }

  /** `conn` closed: out of the idle list, or its place freed for a waiting request. */
  gone(conn: Connection): void {
    if (!this.busy.delete(conn)) {
      const at = this.idle.indexOf(conn);
      if (at >= 0) this.idle.splice(at, 1);
      return;
    }
    const next = this.waiting.shift();
    if (next) this.acquire(next);
  }

  destroy(): void {
    for (const c of this.idle.splice(0)) c.destroy();
    for (const x of this.waiting.splice(0)) x.closed(new Error('the HTTP pool was closed'));
    // Busy connections end with their requests' own errors.
    for (const c of [...this.busy]) c.destroy();
  }
}

/** One socket; its listeners are installed once and pass events to the request it serves now. */
class Connection {
  private readonly socket: Socket | TLSSocket;
  private current: Exchange | undefined;
  private error: Error | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether the request now on it is not the connection's first. */
  reused = false;
  private uses = 0;

  constructor(private readonly origin: Origin) {
    const t = origin.target;
    const host = t.hostname.startsWith('[') ? t.hostname.slice(1, -1) : t.hostname;
    const common = { host, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 };
    if (t.protocol === 'https:') {
      const ip = net().isIP(host) !== 0;
      const s = tls().connect({
        ...common,
        port: Number(t.port || 443),
        secureContext: origin.secureContext(),
        // Stated here, not left to the default: the default reads NODE_TLS_REJECT_UNAUTHORIZED,
        // and that variable must not turn verification off.
        rejectUnauthorized: true,
        ...(ip ? {} : { servername: host }),
        ...(origin.session ? { session: origin.session } : {}),
      });
      s.on('session', (session: Buffer) => {
        origin.session = session;
      });
      this.socket = s;
    } else {
      this.socket = net().connect({ ...common, port: Number(t.port || 80) });
    }
    this.socket.on('data', (chunk: Buffer) => {
      if (this.current) this.current.data(chunk);
      else this.socket.destroy(); // bytes on an idle connection: it is not ours to trust any more
    });
    this.socket.on('error', (err: Error) => {
      this.error ??= err;
    });
    this.socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.idleTimer);
      const x = this.current;
      this.current = undefined;
      this.origin.gone(this);
      x?.closed(this.error);
    });
  }

  use(x: Exchange): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      this.socket.ref();
    }
    this.reused = this.uses++ > 0;
    this.current = x;
    x.start(this);
  }

  write(head: string, body: string | undefined): void {
    if (this.closed) return;
    this.socket.cork();
    this.socket.write(head, 'latin1');
    if (body !== undefined) this.socket.write(body, 'utf8');
    this.socket.uncork();
  }

  /** Idle: no request on it, not keeping the process alive, closed after keepAliveMs. */
  park(): void {
    this.current = undefined;
    this.socket.unref();
    this.idleTimer = setTimeout(() => this.socket.destroy(), this.origin.keepAliveMs);
    this.idleTimer.unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The request line and header fields; field names and values checked as node:http checks them. */
function requestHead(method: string, target: URL, opts: HttpRequestOptions): string {
  if (!/^[A-Z]+$/.test(method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(method)}`);
  let head = `${method} ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\n`;
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    if (!FIELD_NAME.test(name)) throw new TypeError(`invalid HTTP header name ${JSON.stringify(name)}`);
    if (INVALID_VALUE.test(value)) throw new TypeError(`invalid character in HTTP header ${name}`);
    head += `${name}: ${value}\r\n`;
  }
  if (opts.body !== undefined) head += `content-length: ${Buffer.byteLength(opts.body)}\r\n`;
  return `${head}\r\n`;
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What node:http refuses in a header value (CR and LF among it: no header injection). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

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
