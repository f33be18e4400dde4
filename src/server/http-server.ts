import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';

export interface HealthSource {
  /** Named readiness checks; all must pass for /readyz to answer 200. */
  readiness(): Promise<Record<string, boolean>>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** /healthz (alive), /readyz (ready to do its job), /metrics (Prometheus text). */
export async function startHttpServer(listen: string, source: HealthSource, log: Logger): Promise<{ server: FastifyInstance; address: string }> {
  const server = Fastify({ logger: false });
  server.get('/healthz', () => ({ status: 'ok' }));
  server.get('/readyz', async (_req, reply) => {
    const checks = await source.readiness();
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  server.get('/metrics', async (_req, reply) => {
    const m = await source.metrics();
    return reply.type(m.contentType).send(m.body);
  });
  const { host, port } = splitHostPort(listen);
  const address = await server.listen({ host, port });
  log.info({ address }, 'http_listening');
  return { server, address };
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) return { host: listen, port: 9180 };
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
