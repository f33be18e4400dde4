import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AcmeClient, linkUrls } from './acme-client.js';
import { generatePrivateKey } from './keys.js';
import { AcmeProblem } from './problem.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: { close(): void }[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.close(); });

/** A scripted ACME server on loopback that records every request. */
async function scripted(routes: Record<string, Handler>) {
  const seen: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      // Like Boulder: nonces on POST and newNonce answers, not on the directory GET.
      if (req.method !== 'GET' || req.url === '/nonce') res.setHeader('replay-nonce', `nonce-${++n}`);
      const route = routes[`${req.method} ${req.url}`];
      if (route) route(req, res, body);
      else res.writeHead(404).end();
    });
  });
  const connections = { count: 0 };
  server.on('connection', () => connections.count++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const directory = { newNonce: `${base}/nonce`, newAccount: `${base}/acct`, newOrder: `${base}/order`, revokeCert: `${base}/revoke` };
  return { base, seen, directory, connections };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers }).end(JSON.stringify(body));

async function client(base: string) {
  return new AcmeClient({ directoryUrl: `${base}/dir`, accountKey: await generatePrivateKey('ecdsa-p256'), retry: { maxAttempts: 3, maxBadNonceRetries: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1500, requestTimeoutMs: 300 } });
}

/** An answer to newOrder that creates order 1 on the server that was asked. */
const orderCreated: Handler = (q, r) =>
  json(r, 201, { status: 'pending', identifiers: [], authorizations: [], finalize: 'http://ca.test/finalize/1' }, { location: `http://${q.headers.host ?? ''}/order/1` });

/** A client whose account already exists (no newAccount request). */
async function accountClient(base: string) {
  const c = await client(base);
  c.useAccount(`${base}/acct/1`);
  return c;
}

describe('AcmeClient', () => {
  it('asks newNonce once and then reuses the nonces every answer carries', async () => {
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /acct': (_q, r) => json(r, 201, { status: 'valid' }, { location: `${s.base}/acct/1` }),
      'POST /order': orderCreated,
    });
    const c = await client(s.base);
    await c.ensureAccount({}, AbortSignal.timeout(5000));
    await c.newOrder({ identifiers: [{ type: 'dns', value: 'a.test' }] }, AbortSignal.timeout(5000));
    await c.newOrder({ identifiers: [{ type: 'dns', value: 'b.test' }] }, AbortSignal.timeout(5000));
    expect(s.seen).toEqual(['GET /dir', 'GET /nonce', 'POST /acct', 'POST /order', 'POST /order']);
    await c.close();
  });

  it('keeps one connection from the directory through newNonce to the POSTs', async () => {
    // Answered as Go's servers (pebble, Boulder) answer a HEAD too: 200 without Content-Length,
    // after which Node's client closes the connection. A newNonce by HEAD cost a new connection.
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'HEAD /nonce': (_q, r) => r.writeHead(200).end(),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': orderCreated,
    });
    const c = await accountClient(s.base);
    await c.newOrder({ identifiers: [{ type: 'dns', value: 'a.test' }] }, AbortSignal.timeout(5000));
    await c.newOrder({ identifiers: [{ type: 'dns', value: 'b.test' }] }, AbortSignal.timeout(5000));
    expect(s.seen).toEqual(['GET /dir', 'GET /nonce', 'POST /order', 'POST /order']);
    expect(s.connections.count).toBe(1);
    await c.close();
  });

  it('retries badNonce at once and 503 after Retry-After; gives up with the whole problem', async () => {
    let orders = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': (_q, r) => {
        orders++;
        if (orders === 1) return json(r, 400, { type: 'urn:ietf:params:acme:error:badNonce', detail: 'stale' });
        if (orders === 2) return json(r, 503, { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'busy' }, { 'retry-after': '1' });
        return json(r, 400, { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'Error creating new order', status: 400, subproblems: [{ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'forbidden name', identifier: { type: 'dns', value: 'bad.test' } }] });
      },
    });
    const c = await accountClient(s.base);
    const started = Date.now();
    const err = await c.newOrder({ identifiers: [{ type: 'dns', value: 'bad.test' }] }, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // waited for Retry-After: 1
    expect(orders).toBe(3);
    expect(err).toBeInstanceOf(AcmeProblem);
    const p = err as AcmeProblem;
    expect(p.shortType).toBe('rejectedIdentifier');
    expect(p.problem.subproblems?.[0]?.identifier?.value).toBe('bad.test');
    expect(p.message).toBe(`ACME rejectedIdentifier (HTTP 400) at ${s.base}/order: Error creating new order; bad.test: rejectedIdentifier forbidden name`);
    await c.close();
  });

  it('caps a huge Retry-After instead of sleeping for a day', async () => {
    let calls = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': (_q, r) => (++calls === 1
        ? json(r, 429, { type: 'urn:ietf:params:acme:error:rateLimited' }, { 'retry-after': '86400' })
        : orderCreated(_q, r, '')),
    });
    const c = await accountClient(s.base);
    const order = await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000));
    expect(order.url).toBe(`${s.base}/order/1`);
    await c.close();
  });

  it('is cancelled by its AbortSignal while waiting', async () => {
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': (_q, r) => json(r, 503, { type: 'urn:ietf:params:acme:error:serverInternal' }, { 'retry-after': '60' }),
    });
    const c = await accountClient(s.base);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutdown')), 50);
    await expect(c.newOrder({ identifiers: [] }, ac.signal)).rejects.toThrow('shutdown');
    await c.close();
  });
});

describe('AcmeClient newNonce', () => {
  it('retries newNonce after a 503 without a nonce', async () => {
    let heads = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => {
        heads++;
        if (heads === 1) r.removeHeader('replay-nonce');
        r.writeHead(heads === 1 ? 503 : 200).end();
      },
      'POST /order': orderCreated,
    });
    const c = await accountClient(s.base);
    await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000));
    expect(heads).toBe(2);
    await c.close();
  });

  it('retries newNonce after the connection drops', async () => {
    let heads = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => {
        if (++heads === 1) r.socket?.destroy();
        else r.writeHead(200).end();
      },
      'POST /order': orderCreated,
    });
    const c = await accountClient(s.base);
    await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000));
    expect(heads).toBe(2);
    await c.close();
  });

  it('fails clearly when newNonce never gives a nonce', async () => {
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => { r.removeHeader('replay-nonce'); r.writeHead(200).end(); },
    });
    const c = await accountClient(s.base);
    await expect(c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000))).rejects.toThrow(`newNonce: the CA answered 200 without a Replay-Nonce header at ${s.base}/nonce`);
    await c.close();
  });
});

describe('linkUrls', () => {
  it('finds alternate links and resolves them', () => {
    const h = '<https://ca/dir>;rel="index", </cert/1/1>;rel="alternate", <https://ca/cert/1/2>; rel=alternate';
    expect(linkUrls(h, 'alternate', 'https://ca/cert/1')).toEqual(['https://ca/cert/1/1', 'https://ca/cert/1/2']);
    expect(linkUrls(null, 'alternate', 'https://ca/')).toEqual([]);
  });

  it('fetches ARI renewal windows with Retry-After, retries a 503, and says undefined without ARI', async () => {
    let calls = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, { ...s.directory, renewalInfo: `${s.base}/ari/` }),
      'GET /ari/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE': (_q, r) => {
        if (++calls === 1) return json(r, 503, { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'busy' }, { 'retry-after': '0' });
        return json(r, 200, { suggestedWindow: { start: '2026-12-01T00:00:00Z', end: '2026-12-02T00:00:00Z' } }, { 'retry-after': '21600' });
      },
      'GET /ari/bad.id': (_q, r) => json(r, 200, { suggestedWindow: { start: '2026-12-02T00:00:00Z', end: '2026-12-01T00:00:00Z' } }),
    });
    const c = await client(s.base);
    expect(await c.renewalInfo('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE', AbortSignal.timeout(5000)))
      .toEqual({ start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2026-12-02T00:00:00Z'), retryAfterMs: 21_600_000 });
    expect(calls).toBe(2);
    expect(await c.renewalInfo('bad.id', AbortSignal.timeout(5000))).toBeUndefined();
    await c.close();

    const plain = await scripted({ 'GET /dir': (_q, r) => json(r, 200, plain.directory) });
    const p = await client(plain.base);
    expect(await p.renewalInfo('x.y', AbortSignal.timeout(5000))).toBeUndefined();
    expect(plain.seen).toEqual(['GET /dir']);
    await p.close();
  });

  it('puts profile and replaces into the signed newOrder payload', async () => {
    let payload: unknown;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': (q, r, body) => {
        payload = JSON.parse(Buffer.from((JSON.parse(body) as { payload: string }).payload, 'base64url').toString());
        orderCreated(q, r, body);
      },
    });
    const c = await accountClient(s.base);
    await c.newOrder({ identifiers: [{ type: 'dns', value: 'a.test' }], profile: 'shortlived', replaces: 'aYhb.AIdl' }, AbortSignal.timeout(5000));
    expect(payload).toEqual({ identifiers: [{ type: 'dns', value: 'a.test' }], profile: 'shortlived', replaces: 'aYhb.AIdl' });
    await c.close();
  });
});

describe('AcmeClient polling', () => {
  it('polls without Retry-After from a short first look, doubling; the next wait starts where the CA was done', async () => {
    // Each authorization turns valid 100 ms after it is first asked about, and sends no Retry-After.
    const firstAsked = new Map<string, number>();
    const looks = new Map<string, number>();
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      ...Object.fromEntries(['1', '2'].map((id) => [`POST /authz/${id}`, (_q: IncomingMessage, r: ServerResponse) => {
        if (!firstAsked.has(id)) firstAsked.set(id, performance.now());
        looks.set(id, (looks.get(id) ?? 0) + 1);
        json(r, 200, { status: performance.now() - firstAsked.get(id)! >= 100 ? 'valid' : 'pending', identifier: { type: 'dns', value: 'a.test' }, challenges: [] });
      }])),
    });
    const c = await accountClient(s.base);
    firstAsked.set('1', performance.now());
    expect((await c.waitForAuthorization(`${s.base}/authz/1`, AbortSignal.timeout(5000))).status).toBe('valid');
    // 20 ms, then 40 more, then 80 more: valid at the third look.
    expect(looks.get('1')).toBe(3);
    firstAsked.set('2', performance.now());
    await c.waitForAuthorization(`${s.base}/authz/2`, AbortSignal.timeout(5000));
    // Learned: the first look comes near 100 ms, so one or two looks are enough.
    expect(looks.get('2')).toBeLessThanOrEqual(2);
    await c.close();
  });

  it('caps a Retry-After on a poll and says so in the log', async () => {
    let looks = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order/7': (_q, r) => json(r, 200, { status: ++looks < 2 ? 'processing' : 'valid', identifiers: [], authorizations: [], finalize: 'http://ca.test/finalize/7', certificate: `${s.base}/cert` }, { 'retry-after': '86400' }),
      'POST /finalize/7': (_q, r) => json(r, 200, { status: 'processing', identifiers: [], authorizations: [], finalize: 'http://ca.test/finalize/1' }),
    });
    const warnings: unknown[] = [];
    const c = new AcmeClient({
      directoryUrl: `${s.base}/dir`, accountKey: await generatePrivateKey('ecdsa-p256'),
      retry: { maxAttempts: 3, maxBadNonceRetries: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50, requestTimeoutMs: 2000 },
      log: { warn: (obj: unknown, msg?: string) => { warnings.push({ obj, msg }); } },
    });
    c.useAccount(`${s.base}/acct/1`);
    const order = await c.finalize({ url: `${s.base}/order/7`, status: 'ready', identifiers: [], authorizations: [], finalize: `${s.base}/finalize/7` }, Buffer.from('csr'), AbortSignal.timeout(5000));
    expect(order.status).toBe('valid');
    expect(warnings).toEqual([{ obj: { url: `${s.base}/order/7`, retry_after_ms: 86_400_000, waiting_ms: 50 }, msg: 'retry_after_capped' }]);
    await c.close();
  });
});

/** The nonce a JWS body was signed with. */
const nonceOf = (body: string) => (JSON.parse(Buffer.from((JSON.parse(body) as { protected: string }).protected, 'base64url').toString()) as { nonce: string }).nonce;

describe('AcmeClient retries every request as docs/errors.md says', () => {
  it('retries GET directory after a 503, a reset and a garbage 200', async () => {
    let gets = 0;
    const s = await scripted({
      'GET /dir': (q, r) => {
        gets++;
        if (gets === 1) return r.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>');
        if (gets === 2) return q.socket.resetAndDestroy();
        if (gets === 3) return r.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
        json(r, 200, s.directory);
      },
    });
    const c = await client(s.base);
    expect(await c.directory(AbortSignal.timeout(5000))).toEqual(s.directory);
    expect(gets).toBe(4);
    await c.close();
  });

  it('retries newNonce answered 429 without Replay-Nonce, after its Retry-After', async () => {
    const heads: number[] = [];
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => {
        heads.push(Date.now());
        if (heads.length === 1) {
          r.removeHeader('replay-nonce');
          return r.writeHead(429, { 'retry-after': '1' }).end();
        }
        r.writeHead(200).end();
      },
      'POST /order': orderCreated,
    });
    const c = await accountClient(s.base);
    await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000));
    expect(heads).toHaveLength(2);
    expect(heads[1]! - heads[0]!).toBeGreaterThanOrEqual(1000);
    await c.close();
  });

  it('sends one newNonce at a time: concurrent callers wait for it, so none asks again inside its Retry-After', async () => {
    let inFlight = 0;
    let most = 0;
    let heads = 0;
    let notBefore = 0;
    const early: number[] = [];
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => {
        if (Date.now() < notBefore) early.push(notBefore - Date.now());
        most = Math.max(most, ++inFlight);
        setTimeout(() => {
          inFlight--;
          if (++heads === 1) {
            r.removeHeader('replay-nonce');
            notBefore = Date.now() + 1000;
            return r.writeHead(429, { 'retry-after': '1' }).end();
          }
          r.writeHead(200).end();
        }, 30);
      },
      'POST /order': orderCreated,
    });
    const c = await accountClient(s.base);
    await Promise.all([1, 2, 3].map(() => c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000))));
    expect(most).toBe(1);
    expect(early).toEqual([]);
    await c.close();
  });

  it('honours a Retry-After given as an HTTP date on the directory: the retry is not sent before that date', async () => {
    let notBefore = 0;
    const arrivals: number[] = [];
    const s = await scripted({
      'GET /dir': (_q, r) => {
        arrivals.push(Date.now());
        if (arrivals.length > 1) return json(r, 200, s.directory);
        const date = new Date(Date.now() + 2000).toUTCString(); // whole seconds: 1 to 2 s from now
        notBefore = Date.parse(date);
        json(r, 503, { type: 'urn:ietf:params:acme:error:serverInternal' }, { 'retry-after': date });
      },
    });
    const c = new AcmeClient({ directoryUrl: `${s.base}/dir`, accountKey: await generatePrivateKey('ecdsa-p256'), retry: { maxAttempts: 3, maxBadNonceRetries: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000, requestTimeoutMs: 2000 } });
    await c.directory(AbortSignal.timeout(5000));
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]).toBeGreaterThanOrEqual(notBefore);
    await c.close();
  });

  it('gives up a stalled request after requestTimeoutMs and sends it again', async () => {
    let orders = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': (q, r, b) => { if (++orders > 1) orderCreated(q, r, b); /* the first: no answer ever */ },
    });
    const c = await accountClient(s.base);
    expect((await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000))).url).toBe(`${s.base}/order/1`);
    expect(orders).toBe(2);
    await c.close();
  });

  it('never sends a nonce twice: every attempt after a 503, a stall or a stale kept-alive socket is signed anew', async () => {
    const nonces: string[] = [];
    let orders = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /acct': (q, r, b) => { nonces.push(nonceOf(b)); json(r, 200, { status: 'valid' }, { location: `http://${q.headers.host ?? ''}/acct/1` }); },
      'POST /order': (q, r, b) => {
        nonces.push(nonceOf(b));
        orders++;
        if (orders === 1) return json(r, 503, { type: 'urn:ietf:params:acme:error:serverInternal' });
        // The kept-alive socket is reset as this request arrives: what a CA closing idle connections does.
        if (orders === 2) return q.socket.resetAndDestroy();
        if (orders === 3) return; // stalls
        orderCreated(q, r, b);
      },
    });
    const c = await client(s.base);
    await c.ensureAccount({}, AbortSignal.timeout(5000));
    await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000));
    expect(orders).toBe(4);
    expect(new Set(nonces).size).toBe(nonces.length);
    await c.close();
  });

  it('answers garbage with one clear error naming the request, after the attempts the policy allows', async () => {
    let orders = 0;
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /order': (_q, r) => { orders++; r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Gateway says hello</body></html>'); },
    });
    const c = await accountClient(s.base);
    const err = await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ACME_BAD_RESPONSE', retryable: true });
    expect((err as Error).message).toBe(`newOrder: the CA answered 200 with a body that is not JSON (text/html, 44 bytes) at ${s.base}/order`);
    expect(orders).toBe(3); // maxAttempts of the test policy
    await c.close();
  });

  it('names what is wrong: truncated JSON, JSON under another content type, a missing field, no Location', async () => {
    const answers: [number, Record<string, string>, string][] = [
      [201, { 'content-type': 'application/json', location: '/order/1' }, '{"status":"pending","identif'],
      [201, { 'content-type': 'text/plain', location: '/order/1' }, '{"status":"pending"}'],
      [201, { 'content-type': 'application/json', location: '/order/1' }, '{"status":"pending","identifiers":[],"authorizations":[]}'],
      [201, { 'content-type': 'application/json' }, '{"status":"pending","identifiers":[],"authorizations":[],"finalize":"/f"}'],
    ];
    const messages: string[] = [];
    for (const [status, headers, body] of answers) {
      const s = await scripted({
        'GET /dir': (_q, r) => json(r, 200, s.directory),
        'GET /nonce': (_q, r) => r.writeHead(204).end(),
        'POST /order': (_q, r) => r.writeHead(status, headers).end(body),
      });
      const c = await accountClient(s.base);
      messages.push(((await c.newOrder({ identifiers: [] }, AbortSignal.timeout(5000)).catch((e: unknown) => e)) as Error).message.replace(s.base, 'CA'));
      await c.close();
    }
    expect(messages).toEqual([
      'newOrder: the CA answered 201 with a body that is not JSON (application/json, 28 bytes, truncated or malformed) at CA/order',
      'newOrder: the CA answered 201 with a body that is not JSON (text/plain, 20 bytes) at CA/order',
      'newOrder: the CA answered 201 with JSON whose finalize is missing (expected a non-empty string) at CA/order',
      'newOrder: the CA answered 201 without a Location header at CA/order',
    ]);
  });

  it('a garbage directory names the missing URL', async () => {
    const s = await scripted({ 'GET /dir': (_q, r) => json(r, 200, { newNonce: `${s.base}/nonce` }) });
    const c = await client(s.base);
    await expect(c.directory(AbortSignal.timeout(5000))).rejects.toThrow(`directory: the CA answered 200 with JSON whose newAccount is missing (expected a non-empty string) at ${s.base}/dir`);
    await c.close();
  });

  it('a certificate download that is not PEM is refused and named', async () => {
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /cert/1': (_q, r) => r.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end('-----BEGIN CERTIFICATE-----\nMIIB'),
    });
    const c = await accountClient(s.base);
    await expect(c.downloadCertificate(`${s.base}/cert/1`, AbortSignal.timeout(5000))).rejects.toThrow(`certificate: the CA answered 200 with a body that is not a PEM certificate chain (application/pem-certificate-chain, 32 bytes) at ${s.base}/cert/1`);
    await c.close();
  });

  it('a finalize sent again after its answer was lost goes on when the CA says orderNotReady for an order already processing', async () => {
    let finalizes = 0;
    const order = (status: string) => ({ status, identifiers: [], authorizations: [], finalize: `${s.base}/finalize/1`, ...(status === 'valid' ? { certificate: `${s.base}/cert/1` } : {}) });
    const s = await scripted({
      'GET /dir': (_q, r) => json(r, 200, s.directory),
      'GET /nonce': (_q, r) => r.writeHead(204).end(),
      'POST /finalize/1': (q, r) => {
        // The first finalize is taken, and its answer lost with the connection.
        if (++finalizes === 1) return q.socket.resetAndDestroy();
        json(r, 403, { type: 'urn:ietf:params:acme:error:orderNotReady', detail: 'order is processing' });
      },
      'POST /order/1': (_q, r) => json(r, 200, order('valid')),
    });
    const c = await accountClient(s.base);
    const done = await c.finalize({ url: `${s.base}/order/1`, ...order('ready') } as never, Buffer.from('csr'), AbortSignal.timeout(5000));
    expect(done).toMatchObject({ status: 'valid', certificate: `${s.base}/cert/1` });
    expect(finalizes).toBe(2);
    await c.close();
  });
});
