import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parseDuration } from '../config/duration.js';
import { didYouMeanHint } from '../did-you-mean.js';
import { errorMessage } from '../errors.js';
import { bearerTokenCheck } from '../http/bearer-token.js';
import { listen } from '../http/listen.js';
import { TokenBucket } from '../http/token-bucket.js';
import type { Logger } from '../log.js';
import type { CertificateBackend, ListFilter } from './api-backend.js';
import { prebuilt, sendJson, sendProblem, type FieldProblem } from './api-problem.js';

// node:http through getBuiltinModule, not an ESM import: building its ESM namespace evaluates the
// lazy WebSocket exports, which load undici (about 2.3 MB of every daemon's heap, measured), as
// src/http/http-pool.ts explains.
const { createServer } = process.getBuiltinModule('node:http');

/** A certificates[] entry is a few hundred bytes; 64 KiB leaves room and bounds what a client can make us hold. */
const MAX_BODY = 64 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const STATUSES = ['failing', 'expiring'] as const;
const QUERY_KEYS = ['status', 'within'];

export interface ApiServerOptions {
  listen: string;
  /** Read per request, so a reload that changes the token takes effect at once. */
  token: () => string;
  backend: CertificateBackend;
  log: Logger;
  /**
   * Requests per second for callers with the token, after a burst of `burst`; callers without it
   * draw from a bucket of their own, so a flood of bad requests cannot starve the real client.
   */
  rate?: number;
  burst?: number;
  now?: () => number;
}

export interface ApiServer { address: string; close(): Promise<void> }

/**
 * The management API (`server.api`, docs/api.md): its own listener, so it can be bound where
 * server.listen is not (and firewalled apart). Every request needs the bearer token; problems
 * are RFC 9457 JSON.
 */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const now = o.now ?? Date.now;
  // 200/s after a burst of 1,000: a batch of 1,000 adds goes through at once (the benchmark's),
  // a runaway client is held to what the store and scheduler absorb beside renewals.
  const rate = o.rate ?? 200;
  const burst = o.burst ?? Math.max(rate * 2, 1_000);
  let checker = { token: o.token(), check: bearerTokenCheck(o.token()) };
  const tooMany = prebuilt({ status: 429, title: 'Too many requests', detail: `more than ${rate} requests a second; retry after the time Retry-After gives` }, { 'retry-after': '1' });
  const buckets = { client: new TokenBucket(rate, burst, now()), anonymous: new TokenBucket(rate, burst, now()) };
  const server: Server = createServer((req, res) => {
    const token = o.token();
    // A reload changed the token: rebuild the (constant-time) check. This compares our own two values, not the caller's.
    // eslint-disable-next-line security/detect-possible-timing-attacks
    if (token !== checker.token) checker = { token, check: bearerTokenCheck(token) };
    const authorized = checker.check(req.headers.authorization);
    if (!(authorized ? buckets.client : buckets.anonymous).take(now())) {
      req.resume();
      // Prebuilt: under a flood this is most of the work, and it must leave the CPU to renewals.
      return void res.writeHead(429, tooMany.headers).end(tooMany.body);
    }
    if (!authorized) {
      req.resume();
      // No hint of the token: the same answer without one, with a wrong one, or a malformed header.
      return sendProblem(res, { status: 401, title: 'Unauthorized', detail: 'a valid bearer token is required' }, { 'www-authenticate': 'Bearer realm="certfleet"' });
    }
    const signal = AbortSignal.timeout(30_000);
    route(req, res, o.backend, signal).catch((err: unknown) => {
      o.log.error({ method: req.method, url: req.url, error: errorMessage(err) }, 'api_handler_failed');
      if (!res.headersSent) sendProblem(res, { status: 500, title: 'Internal error', detail: 'the request failed inside certfleet; the daemon log has the cause' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 30_000;
  const address = await listen(server, o.listen);
  o.log.info({ address }, 'api_listening');
  return {
    address,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, backend: CertificateBackend, signal: AbortSignal): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://api');
  const caller = { peer: peerOf(req) };
  if (url.pathname === '/v1/certificates') {
    if (req.method === 'GET') {
      const filter = listFilter(url.searchParams);
      if ('problems' in filter) return badRequest(res, 'invalid query', filter.problems);
      return sendJson(res, 200, { certificates: await backend.list(filter, signal) });
    }
    if (req.method !== 'POST') return notAllowed(res, 'GET, POST');
    const body = await readJson(req, res);
    if (body === undefined) return;
    const r = await backend.add(body.value, caller, signal);
    if (r.kind === 'invalid') return badRequest(res, 'the certificate entry is invalid', r.problems);
    if (r.kind === 'conflict') return sendProblem(res, { status: 409, title: 'Conflict', detail: r.detail });
    return sendJson(res, r.kind === 'created' ? 201 : 200, { result: r.kind, certificate: r.certificate });
  }
  const m = /^\/v1\/certificates\/([^/]+)$/.exec(url.pathname);
  if (!m) return sendProblem(res, { status: 404, title: 'Not found', detail: `no route ${url.pathname}; the API serves /v1/certificates and /v1/certificates/NAME` });
  const name = decodeURIComponent(m[1]!);
  if (!NAME.test(name) || name.includes('..')) return badRequest(res, 'invalid name', [{ path: 'name', message: 'expected letters, digits, ".", "_" or "-" (no path separators)' }]);
  if (req.method === 'GET') {
    const view = await backend.get(name, signal);
    return view ? sendJson(res, 200, view) : sendProblem(res, { status: 404, title: 'Not found', detail: `no certificate named ${JSON.stringify(name)}` });
  }
  if (req.method !== 'DELETE') return notAllowed(res, 'GET, DELETE');
  const r = await backend.remove(name, caller, signal);
  if (r.kind === 'conflict') return sendProblem(res, { status: 409, title: 'Conflict', detail: r.detail });
  if (r.kind === 'not_found') return sendProblem(res, { status: 404, title: 'Not found', detail: `no managed certificate named ${JSON.stringify(name)}` });
  res.writeHead(204, { 'cache-control': 'no-store' }).end();
}

/** The JSON body, or undefined once a problem (content type, size, syntax) has been answered. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    sendProblem(res, { status: 415, title: 'Unsupported media type', detail: `expected content-type application/json, got ${type ? JSON.stringify(type) : 'none'}` });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      sendProblem(res, { status: 413, title: 'Body too large', detail: `a request body may have at most ${MAX_BODY} bytes` }, { connection: 'close' });
      req.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch (err) {
    badRequest(res, 'malformed JSON', [{ path: '', message: `malformed JSON: ${errorMessage(err)}` }]);
    return undefined;
  }
}

/** `?status=failing|expiring&within=30d`, every problem at once. */
export function listFilter(q: URLSearchParams): ListFilter | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  for (const k of new Set(q.keys())) if (!QUERY_KEYS.includes(k)) problems.push({ path: k, message: `unknown query parameter ${JSON.stringify(k)}${didYouMeanHint(k, QUERY_KEYS)}; expected status or within` });
  const status = q.get('status');
  const within = q.get('within');
  const filter: ListFilter = {};
  if (status !== null) {
    if ((STATUSES as readonly string[]).includes(status)) filter.status = status as ListFilter['status'] & string;
    else problems.push({ path: 'status', message: `expected ${STATUSES.join(' or ')}, got ${JSON.stringify(status)}${didYouMeanHint(status, STATUSES)}` });
  }
  if (within !== null) {
    const ms = parseDuration(within);
    if (ms === undefined) problems.push({ path: 'within', message: `expected a duration like 30d or 72h, got ${JSON.stringify(within)}` });
    else if (filter.status !== 'expiring' && status !== null) problems.push({ path: 'within', message: 'within goes with status=expiring' });
    else filter.withinMs = ms;
  }
  return problems.length ? { problems } : filter;
}

function badRequest(res: ServerResponse, detail: string, errors: FieldProblem[]): void {
  sendProblem(res, { status: 400, title: 'Bad request', detail, errors });
}

function notAllowed(res: ServerResponse, allow: string): void {
  sendProblem(res, { status: 405, title: 'Method not allowed', detail: `allowed: ${allow}` }, { allow });
}

function peerOf(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? 'unknown';
  return `${a.includes(':') ? `[${a}]` : a}:${req.socket.remotePort ?? 0}`;
}
