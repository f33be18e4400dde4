import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { splitHostPort } from '../server/http-server.js';
import { parseChanges, checkEndpoint, WEBHOOK_MEDIA_TYPE } from './endpoint.js';
import { WebhookInputError, type WebhookService } from './webhook-service.js';

export interface WebhookServerOptions {
  listen: string;
  healthListen: string;
  /** Largest request body accepted. */
  maxBodyBytes?: number;
  /** Below ExternalDNS's 15 s, so it gets an answer rather than a timeout (which is fatal to it). */
  requestTimeoutMs?: number;
  /** Requests per second per client before answering 503 (a soft error ExternalDNS retries). */
  ratePerSecond?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
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
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const rate = opts.ratePerSecond ?? 20;
  const buckets = new Map<string, { tokens: number; at: number }>();

  const allow = (client: string) => {
    const now = Date.now();
    const b = buckets.get(client) ?? { tokens: rate * 2, at: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(client, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };

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
          changes = parseChanges(parseJson(await readBody(req)));
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(400, errorMessage(err));
        }
        await service.apply(changes, signal);
        return send(204);
      }
      case 'POST /adjustendpoints': {
        const body = parseJson(await readBody(req));
        if (!Array.isArray(body)) throw new HttpError(400, 'expected a list of endpoints');
        try {
          return send(200, service.adjust(body.map((e, i) => checkEndpoint(e, `[${i}]`))));
        } catch (err) {
          throw new HttpError(400, errorMessage(err));
        }
      }
      default:
        throw new HttpError(404, `no route ${req.method ?? ''} ${route}`);
    }
  };

  const api: Server = createServer((req, res) => {
    const started = performance.now();
    const route = (req.url ?? '/').split('?')[0]!;
    const client = req.socket.remoteAddress ?? '?';
    const signal = AbortSignal.timeout(timeoutMs);
    const finish = (status: number, error?: string) => {
      requests.inc({ route, status: String(status) });
      const line = { method: req.method, route, status, ms: Math.round(performance.now() - started), client, ...(error ? { error } : {}) };
      if (status >= 500) log.error(line, 'webhook_request');
      else if (status >= 400) log.warn(line, 'webhook_request');
      else log.info(line, 'webhook_request');
    };
    if (!allow(client)) {
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('rate limited');
      return finish(503, 'rate limited');
    }
    handle(req, res, route, signal).then((status) => finish(status), (err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof WebhookInputError ? 400 : signal.aborted ? 504 : 502;
      const message = err instanceof HttpError || err instanceof WebhookInputError ? err.message
        : signal.aborted ? `no answer from the DNS provider within ${timeoutMs} ms` : `DNS provider error: ${errorMessage(err)}`;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
      finish(status, message);
    });
  });
  api.requestTimeout = timeoutMs + 1000;
  api.headersTimeout = timeoutMs;

  const health: Server = createServer((req, res) => {
    const route = (req.url ?? '/').split('?')[0];
    if (route === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (route === '/metrics') {
      void registry.metrics().then((m) => res.writeHead(200, { 'content-type': registry.contentType }).end(m));
      return;
    }
    res.writeHead(404).end();
  });

  const listen = async (s: Server, where: string) => {
    const { host, port } = splitHostPort(where);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => { s.off('error', reject); resolve(); });
    });
    const a = s.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  };
  const address = await listen(api, opts.listen);
  let healthAddress: string;
  try {
    healthAddress = await listen(health, opts.healthListen);
  } catch (err) {
    api.close();
    throw err;
  }
  log.info({ address, healthAddress }, 'webhook_listening');
  const close = (s: Server) => new Promise<void>((r) => { s.close(() => r()); s.closeIdleConnections(); });
  return { address, healthAddress, close: async () => { await Promise.all([close(api), close(health)]); } };
}
