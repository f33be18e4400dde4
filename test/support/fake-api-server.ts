import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SeenRequest } from './recorded-shapes.js';

/** One request as a fake API's handler sees it. */
export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeAnswer {
  status: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A fault the next requests get instead of the handler's answer (a rate limit, an outage). */
export interface InjectedFault extends FakeAnswer {
  /** How many requests get it. */
  times: number;
}

export interface FakeApiServer {
  /** `http://127.0.0.1:<port>`: a provider's base URL is this plus the API's own path prefix. */
  url: string;
  /** Every request, in order, for checking against the recorded shapes. */
  seen: SeenRequest[];
  /** The next requests answer this instead (e.g. `{ times: 2, status: 429, headers: { 'retry-after': '1' } }`). */
  inject(fault: InjectedFault): void;
  stop(): Promise<void>;
}

/**
 * The HTTP part every provider fake shares: a loopback listener on a free port, request bodies
 * read whole, every request kept, injected faults, and a handler that is only the API's logic.
 * A handler that throws answers 500, which a test sees as a failure of the fake, not of the client.
 */
export async function startFakeApiServer(handle: (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<FakeApiServer> {
  const seen: SeenRequest[] = [];
  const faults: InjectedFault[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: FakeRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://fake'), headers: req.headers, body };
      seen.push({ method: request.method, url: req.url ?? '/', body });
      const fault = faults[0];
      if (fault && --fault.times <= 0) faults.shift();
      void Promise.resolve()
        .then((): FakeAnswer | Promise<FakeAnswer> => (fault ?? handle(request)))
        .catch((err: unknown): FakeAnswer => ({ status: 500, body: { fake_error: String(err) } }))
        .then((a: FakeAnswer) => {
          const body: unknown = a.body;
          const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
          const type = body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' };
          res.writeHead(a.status, { ...type, ...a.headers }).end(text);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    inject: (f) => { faults.push({ ...f }); },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
