import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, Registry } from '../server/prometheus-registry.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { processRedactor } from '../redaction.js';
import { listen } from '../http/listen.js';
import { bearerTokenCheck } from '../http/bearer-token.js';
import { parseChanges, checkEndpoint, WEBHOOK_MEDIA_TYPE } from './endpoint.js';
import { TokenBucket } from '../http/token-bucket.js';
import { WebhookInputError, type WebhookService } from './webhook-service.js';

export interface WebhookServerOptions {
  listen: string;
  healthListen: string;
  /** Largest request body accepted. */
  maxBodyBytes?: number;
  /** Below ExternalDNS's 15 s, so it gets an answer rather than a timeout (which is fatal to it). */
  requestTimeoutMs?: number;
  /** Requests per second, all clients together, before answering 503 (a soft error ExternalDNS retries). */
  ratePerSecond?: number;
  /** When set, every API request must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}

/** The routes of each listener; any other path is counted and logged as `unknown`, never as itself. */
const API_ROUTES = ['/', '/records', '/adjustendpoints'];
const HEALTH_ROUTES = ['/healthz', '/metrics'];

/** A metric label and log field from a fixed set: a raw path would make one series per path sent. */
export function routeLabel(url: string | undefined, routes: readonly string[]): string {
  const path = (url ?? '/').split('?', 1)[0]!;
  return routes.includes(path) ? path : 'unknown';
}

/**
 * The ExternalDNS webhook protocol on `listen` (127.0.0.1:8888 by default), and `/healthz` +
 * `/metrics` on `healthListen`. Status codes follow what the client demands: 200/204 exactly,
 * 5xx for anything upstream or transient (ExternalDNS retries those next loop), 4xx only for
 * requests that can never succeed.
 */
export async function startWebhookServer(service: WebhookService, opts: WebhookServerOptions, log: Logger): Promise<{ address: string; healthAddress: string; close(): Promise<void> }> {
  const registry = new Registry();
  const requests = new Counter({ name: 'certfleet_webhook_requests_total', help: 'ExternalDNS webhook requests by route and status', labelNames: ['route', 'status'] as const, registers: [registry] });
  const refusedTotal = new Counter({ name: 'certfleet_webhook_refused_total', help: 'Endpoints the webhook refused to write (zone apex NS/SOA, _acme-challenge names)', labelNames: ['reason'] as const, registers: [registry] });
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const rate = opts.ratePerSecond ?? 20;
  if (opts.token !== undefined) processRedactor.add([opts.token]);
  const authorized = opts.token === undefined ? () => true : bearerTokenCheck(opts.token);
  // Not per source address: a client picks its address (all of 127/8 is loopback), and a map of
  // them grows without bound. The webhook has one legitimate client, so one bucket for it; with a
  // token, requests without it draw from their own bucket and cannot starve the real client.
  const buckets = { client: new TokenBucket(rate, rate * 2, Date.now()), anonymous: new TokenBucket(rate, rate * 2, Date.now()) };

  const readBody = (req: IncomingMessage) => new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is drained, not kept, so the client still reads the 413
    // (the request timeout bounds how long a huge upload can take).
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on('end', () => (size > maxBody ? reject(new HttpError(413, `request body larger than ${maxBody} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });

  const parseJson = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `malformed JSON: ${errorMessage(err)}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, route: string, signal: AbortSignal): Promise<number> => {
    const send = (status: number, body?: unknown) => {
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': WEBHOOK_MEDIA_TYPE }).end(JSON.stringify(body));
      return status;
    };
    if (req.method === 'POST') {
      const type = (req.headers['content-type'] ?? '').replace(/\s+/g, '');
      if (type !== WEBHOOK_MEDIA_TYPE) throw new HttpError(415, `Content-Type must be ${WEBHOOK_MEDIA_TYPE}`);
    }
    switch (`${req.method} ${route}`) {
      case 'GET /':
        return send(200, service.negotiate());
      case 'GET /records':
        return send(200, await service.records(signal));
      case 'POST /records': {
        let changes;
        try {
          changes = parseChanges(parseJson(await readBody(req)), service.maxTtl);
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(400, errorMessage(err));
        }
        const { refused } = await service.apply(changes, signal);
        for (const r of refused) refusedTotal.inc({ reason: r.reason });
        // A 4xx would stop ExternalDNS, and 204 would tell it the refused records exist: a 5xx is
        // an error it logs and retries next loop, while the rest of the change set stays applied.
        if (refused.length) throw new HttpError(500, `refused ${refused.length} endpoint${refused.length > 1 ? 's' : ''} (the rest was applied): ${refused.slice(0, 20).map((r) => r.message).join('; ')}`);
        return send(204);
      }
      case 'POST /adjustendpoints': {
        const body = parseJson(await readBody(req));
        if (!Array.isArray(body)) throw new HttpError(400, 'expected a list of endpoints');
        try {
          return send(200, service.adjust(body.map((e, i) => checkEndpoint(e, `[${i}]`, service.maxTtl))));
        } catch (err) {
          throw new HttpError(400, errorMessage(err));
        }
      }
      default:
        // The path itself is not echoed: it is the client's, of any length.
        throw new HttpError(404, `${route === 'unknown' ? 'no such path' : `no route ${req.method ?? ''} ${route}`} (routes: GET /, GET /records, POST /records, POST /adjustendpoints)`);
    }
  };

  const api: Server = createServer((req, res) => {
    const started = performance.now();
    const route = routeLabel(req.url, API_ROUTES);
    const client = req.socket.remoteAddress ?? '?';
    const signal = AbortSignal.timeout(timeoutMs);
    const finish = (status: number, error?: string) => {
      requests.inc({ route, status: String(status) });
      const line = { method: req.method, route, status, ms: Math.round(performance.now() - started), client, ...(error ? { error } : {}) };
      if (status >= 500) log.error(line, 'webhook_request');
      else if (status >= 400) log.warn(line, 'webhook_request');
      else log.info(line, 'webhook_request');
    };
    const ok = authorized(req.headers.authorization);
    if (!(ok ? buckets.client : buckets.anonymous).take(Date.now())) {
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('rate limited');
      return finish(503, 'rate limited');
    }
    const answer = ok ? handle(req, res, route, signal) : Promise.reject(new HttpError(401, 'a bearer token is required (Authorization: Bearer <webhook.token>)', { 'www-authenticate': 'Bearer realm="certfleet-webhook"' }));
    answer.then((status) => finish(status), (err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof WebhookInputError ? 400 : signal.aborted ? 504 : 502;
      const message = err instanceof HttpError || err instanceof WebhookInputError ? err.message
        : signal.aborted ? `no answer from the DNS provider within ${timeoutMs} ms` : `DNS provider error: ${errorMessage(err)}`;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(err instanceof HttpError ? err.headers : {}) }).end(message);
      finish(status, message);
    });
  });
  api.requestTimeout = timeoutMs + 1000;
  api.headersTimeout = timeoutMs;

  const health: Server = createServer((req, res) => {
    const route = routeLabel(req.url, HEALTH_ROUTES);
    if (route === '/healthz') {
      requests.inc({ route, status: '200' });
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    }
    if (route === '/metrics') {
      requests.inc({ route, status: '200' });
      void registry.metrics().then((m) => res.writeHead(200, { 'content-type': registry.contentType }).end(m));
      return;
    }
    requests.inc({ route, status: '404' });
    res.writeHead(404).end();
  });

  const address = await listen(api, opts.listen);
  let healthAddress: string;
  try {
    healthAddress = await listen(health, opts.healthListen);
  } catch (err) {
    api.close();
    throw err;
  }
  log.info({ address, health_address: healthAddress }, 'webhook_listening');
  const close = (s: Server) => new Promise<void>((r) => { s.close(() => r()); s.closeIdleConnections(); });
  return { address, healthAddress, close: async () => { await Promise.all([close(api), close(health)]); } };
}
