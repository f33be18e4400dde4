import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A fault-injecting HTTP(S) proxy for chaos tests: it sits in front of one server (pebble) and
 * answers a chosen share of requests itself, with a fault, instead of forwarding them.
 *
 *   const proxy = await startFaultProxy({ target: 'https://127.0.0.1:14000', targetCa, tls, decide: randomFaults(0.3) });
 *   // point the client at `${proxy.url}/dir`; afterwards:
 *   expect(proxy.early).toEqual([]);   // no request came back before its Retry-After
 *   await proxy.stop();
 *
 * The Host header is forwarded unchanged, so a server that builds its URLs from it (pebble does)
 * sends the client back through the proxy. Faults are answered before forwarding: the target
 * never sees a faulted request.
 */
export type Fault =
  /** 429 rateLimited problem with Retry-After, in seconds or as an HTTP date (alternating). */
  | 'rate-limit'
  /** 503 with an HTML body, as a load balancer sends; every other one has Retry-After: 1. */
  | 'unavailable'
  /** The connection is reset (RST) as the request arrives. */
  | 'reset'
  /** No answer at all: the connection stays open until the client gives up. */
  | 'stall'
  /** 200 with garbage: HTML, truncated JSON, or JSON without the expected fields (rotating). */
  | 'garbage';

export const FAULTS: readonly Fault[] = ['rate-limit', 'unavailable', 'reset', 'stall', 'garbage'];

export interface ProxiedRequest {
  method: string;
  path: string;
  /** What makes two requests "the same" for Retry-After: method, path and a JWS's payload. */
  key: string;
}

export interface FaultProxyOptions {
  /** Origin requests are forwarded to, e.g. `https://127.0.0.1:14000`. */
  target: string;
  /** PEM trusted for the target's TLS. */
  targetCa?: string;
  /** The proxy's own TLS certificate and key (PEM); without it the proxy speaks plain HTTP. */
  tls?: { cert: string; key: string };
  /** Each request's fate: a fault, or undefined to forward it. */
  decide: (req: ProxiedRequest) => Fault | undefined;
}

export interface FaultProxy {
  /** The proxy's origin, e.g. `https://127.0.0.1:40123`. */
  url: string;
  /** Requests per fault, and how many were forwarded. */
  counts: Record<Fault | 'forwarded', number>;
  /** One line per request that arrived before the Retry-After the proxy gave the same request. */
  early: string[];
  stop(): Promise<void>;
}

/** Faults `rate` of all requests (0..1), the kind picked evenly from `faults`; `random` may be seeded. */
export function randomFaults(rate: number, random: () => number = Math.random, faults: readonly Fault[] = FAULTS): (req: ProxiedRequest) => Fault | undefined {
  return () => (random() < rate ? faults[Math.floor(random() * faults.length)] : undefined);
}

/** A small seeded PRNG (mulberry32), so a failing chaos run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GARBAGE = [
  { type: 'text/html', body: '<html><body><h1>Welcome to nginx!</h1></body></html>' },
  { type: 'application/json', body: '{"status":"valid","identifiers":[{"type":"dns","val' },
  { type: 'application/json', body: '{}' },
];

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const toHttps = target.protocol === 'https:';
  const agent = toHttps ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: true, ...(opts.targetCa ? { ca: opts.targetCa } : {}) }) : undefined;
  const counts: FaultProxy['counts'] = { 'rate-limit': 0, unavailable: 0, reset: 0, stall: 0, garbage: 0, forwarded: 0 };
  const early: string[] = [];
  /** Retry-After given, by request key: the earliest time the same request may come back. */
  const notBefore = new Map<string, number>();
  let rotate = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const now = Date.now();
    const path = req.url ?? '/';
    const key = `${req.method} ${path} ${jwsPayload(body)}`;
    const due = notBefore.get(key);
    if (due !== undefined && now < due) early.push(`${key.slice(0, 120)}: ${due - now} ms before its Retry-After`);
    const fault = opts.decide({ method: req.method ?? 'GET', path, key });
    if (!fault) {
      counts.forwarded++;
      return forward(req, res, body);
    }
    counts[fault]++;
    const n = rotate++;
    switch (fault) {
      case 'rate-limit': {
        // Alternating forms: delta seconds, and an HTTP date (whole seconds, so 1 to 2 s away).
        const value = n % 2 === 0 ? '1' : new Date(now + 2000).toUTCString();
        notBefore.set(key, n % 2 === 0 ? now + 1000 : Date.parse(value));
        res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': value })
          .end(JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'fault proxy: slow down', status: 429 }));
        return;
      }
      case 'unavailable': {
        const headers: Record<string, string> = { 'content-type': 'text/html' };
        if (n % 2 === 0) {
          headers['retry-after'] = '1';
          notBefore.set(key, now + 1000);
        }
        res.writeHead(503, headers).end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
        return;
      }
      case 'reset': {
        // A TLS socket cannot send an RST itself; the TCP socket under it (node's _parent) can.
        const raw = (req.socket as Socket & { _parent?: Socket })._parent ?? req.socket;
        raw.resetAndDestroy();
        return;
      }
      case 'stall':
        return; // never answered; stop() closes the connection if the client has not
      case 'garbage': {
        const g = GARBAGE[n % GARBAGE.length]!;
        res.writeHead(200, { 'content-type': g.type }).end(req.method === 'HEAD' ? undefined : g.body);
      }
    }
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = (toHttps ? httpsRequest : httpRequest)({
      protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url,
      headers: req.headers, ...(agent ? { agent } : {}),
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createHttpServer(onRequest);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    counts,
    early,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent?.destroy();
    },
  };
}

/** A JWS body's payload (empty for POST-as-GET), or '' for anything else. */
function jwsPayload(body: Buffer): string {
  if (body.length === 0) return '';
  try {
    const p = (JSON.parse(body.toString()) as { payload?: unknown }).payload;
    return typeof p === 'string' ? p : '';
  } catch {
    return '';
  }
}
