import type { Server } from 'node:http';
import { errorMessage } from '../errors.js';
import { listen } from '../http/listen.js';
import type { Logger } from '../log.js';
import type { DashboardHandler } from './dashboard-routes.js';

// node:http through getBuiltinModule, not an ESM import: building its ESM namespace evaluates the
// lazy WebSocket exports, which load undici (about 2.3 MB of every daemon's heap, measured), as
// src/http/http-pool.ts explains.
const { createServer } = process.getBuiltinModule('node:http');

// externaldns/ takes it from here until it imports src/http/listen.ts itself (issue 14, i14-dns).

export interface HealthSource {
  /** Named readiness checks; all must pass for /readyz to answer 200. */
  readiness(): Promise<Record<string, boolean>>;
  /** What /readyz reports beside its checks without failing them (managed-certificate conflicts). */
  details?(): Record<string, unknown> | undefined;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface HttpServer {
  address: string;
  close(): Promise<void>;
}

/**
 * /healthz (alive), /readyz (ready to do its job), /metrics (Prometheus text), on node:http;
 * every other route goes to the dashboard when there is one.
 * Three GET routes need no framework, and fastify measured 26 MB of resident memory here,
 * a third of the idle daemon's budget.
 */
export async function startHttpServer(address: string, source: HealthSource, log: Logger, dashboard?: DashboardHandler): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json; charset=utf-8', JSON.stringify(body));
    const route = (req.url ?? '/').split('?')[0]!;
    const health = route === '/healthz' || route === '/readyz' || route === '/metrics';
    if (!health && dashboard) {
      dashboard(req, res, route).catch((err: unknown) => {
        log.error({ route, error: errorMessage(err) }, 'http_handler_failed');
        if (!res.headersSent) json(500, { error: 'internal error' });
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed' });
    void (async () => {
      switch (route) {
        case '/healthz':
          return json(200, { status: 'ok' });
        case '/readyz': {
          const checks = await source.readiness();
          const ready = Object.values(checks).every(Boolean);
          const details = source.details?.();
          return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks, ...(details ? { details } : {}) });
        }
        case '/metrics': {
          const m = await source.metrics();
          return send(200, m.contentType, m.body);
        }
        default:
          return json(404, { error: 'not found', routes: ['/healthz', '/readyz', '/metrics'] });
      }
    })().catch((err: unknown) => {
      log.error({ route, error: errorMessage(err) }, 'http_handler_failed');
      if (!res.headersSent) json(500, { error: 'internal error' });
    });
  });
  server.keepAliveTimeout = 5_000;
  const url = await listen(server, address);
  log.info({ address: url }, 'http_listening');
  return {
    address: url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
