import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { getEventListeners } from 'node:events';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPool, type RequestSentMessage } from './http-pool.js';

const servers: Server[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.close(); });

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

describe('HttpPool', () => {
  it('sends method, headers and body; returns status, headers and text; reuses the connection', async () => {
    const ports = new Set<number>();
    const base = await serve((req, res) => {
      ports.add(req.socket.remotePort!);
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => res.writeHead(201, { 'replay-nonce': 'n1', link: ['<a>;rel="up"', '<b>;rel="alternate"'] }).end(`${req.method} ${req.headers['content-type']} ${body}`));
    });
    const pool = new HttpPool();
    const r = await pool.request('POST', `${base}/x`, { body: '{"a":1}', headers: { 'content-type': 'application/jose+json' }, signal: AbortSignal.timeout(2000) });
    expect(r).toMatchObject({ status: 201, body: 'POST application/jose+json {"a":1}', url: `${base}/x` });
    expect(r.headers.get('Replay-Nonce')).toBe('n1');
    expect(r.headers.get('link')).toBe('<a>;rel="up", <b>;rel="alternate"');
    expect(r.headers.get('missing')).toBeNull();
    await pool.request('GET', `${base}/y`, { signal: AbortSignal.timeout(2000) });
    expect(ports.size).toBe(1);
    pool.close();
  });

  it('publishes each request sent on certfleet:http.request, with whether its connection is new, and without the query string', async () => {
    const base = await serve((_req, res) => res.end('ok'));
    const seen: RequestSentMessage[] = [];
    const onMessage = (m: unknown) => seen.push(m as RequestSentMessage);
    subscribe('certfleet:http.request', onMessage);
    try {
      const pool = new HttpPool();
      await pool.request('POST', `${base}/a`, { body: 'x', signal: AbortSignal.timeout(2000) });
      await pool.request('GET', `${base}/b?api_key=s3cret`, { signal: AbortSignal.timeout(2000) });
      pool.close();
    } finally {
      unsubscribe('certfleet:http.request', onMessage);
    }
    expect(seen).toEqual([
      { method: 'POST', origin: base, pathname: '/a', reused: false },
      { method: 'GET', origin: base, pathname: '/b', reused: true },
    ]);
  });

  it('aborts with the caller\'s reason, times out on its own bound, and refuses huge answers', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/big') return res.end(Buffer.alloc(2048));
      // Never answers.
    });
    const pool = new HttpPool({ timeoutMs: 200, maxBodyBytes: 1024 });
    const ac = new AbortController();
    const p = pool.request('GET', `${base}/hang`, { signal: ac.signal });
    ac.abort(new Error('shutting down'));
    await expect(p).rejects.toThrow('shutting down');
    await expect(pool.request('GET', `${base}/hang`, { signal: new AbortController().signal })).rejects.toThrow(/no answer from .* within 200 ms/);
    await expect(pool.request('GET', `${base}/big`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow(/larger than 1024 bytes/);
    await expect(pool.request('GET', 'ftp://x/', { signal: AbortSignal.timeout(2000) })).rejects.toThrow(/unsupported URL scheme/);
    await expect(pool.request('GET', 'http://127.0.0.1:1/', { signal: AbortSignal.timeout(2000) })).rejects.toThrow(/ECONNREFUSED/);
    pool.close();
  });

  it('a body cut off by the bound is a timeout (not a bare "aborted"), and a finished request leaves no listener on the caller\'s signal', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/ok') return res.end('fine');
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial'); // and never the rest
    });
    const pool = new HttpPool({ timeoutMs: 200 });
    const caller = new AbortController();
    expect((await pool.request('GET', `${base}/ok`, { signal: caller.signal })).body).toBe('fine');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    await expect(pool.request('GET', `${base}/slow-body`, { signal: caller.signal })).rejects.toThrow(/no answer from .* within 200 ms/);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    pool.close();
  });

  it('a request still waiting for a socket (all of them busy) ends when its caller aborts, not when a socket frees', async () => {
    const base = await serve(() => undefined); // never answers
    const pool = new HttpPool({ maxSockets: 1, timeoutMs: 3_000 });
    let firstEnded = false;
    const first = pool.request('GET', `${base}/busy`, { signal: new AbortController().signal }).finally(() => { firstEnded = true; });
    first.catch(() => undefined);
    const caller = new AbortController();
    const queued = pool.request('GET', `${base}/queued`, { signal: caller.signal });
    await new Promise((r) => setTimeout(r, 50));
    caller.abort(new Error('the job is over'));
    await expect(queued).rejects.toThrow('the job is over');
    // Before the busy socket's own request was cut: the abort did not wait for a socket.
    expect(firstEnded).toBe(false);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    await expect(first).rejects.toThrow(/within 3000 ms/);
    pool.close();
  });

  it('sends again on a new connection when the server dropped the kept-alive one (nothing lost); a reset on a new connection is an error', async () => {
    // A raw HTTP/1.1 server that answers the first request of each connection (keep-alive) and
    // resets the connection when a second request arrives on it: the race a CA that closes idle
    // connections creates. Every request must still get exactly one answer.
    const bodies: string[] = [];
    let connections = 0;
    const server = createNetServer((socket) => {
      connections++;
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        if (answered) return socket.resetAndDestroy();
        answered = true;
        bodies.push(chunk.toString().split('\r\n\r\n')[1] ?? '');
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server as unknown as Server);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const pool = new HttpPool();
    for (let i = 0; i < 4; i++) {
      const res = await pool.request('POST', url, { body: `order-${i}`, signal: AbortSignal.timeout(5000) });
      expect(res.body).toBe('ok');
    }
    expect(bodies).toEqual(['order-0', 'order-1', 'order-2', 'order-3']); // each sent once, in order
    expect(connections).toBe(4);
    pool.close();

    // A server that resets every connection at once: not a stale socket, so no second try.
    let attempts = 0;
    const rude = createNetServer((socket) => { attempts++; socket.on('data', () => socket.resetAndDestroy()); socket.on('error', () => undefined); });
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    servers.push(rude as unknown as Server);
    const fresh = new HttpPool();
    await expect(fresh.request('GET', `http://127.0.0.1:${(rude.address() as { port: number }).port}/`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(attempts).toBe(1);
    fresh.close();
  });
});

describe('HttpPool framing and connections', () => {
  it('reads chunked answers and answers that end with the connection; a "connection: close" answer is not reused', async () => {
    const ports: number[] = [];
    const base = await serve((req, res) => {
      ports.push(req.socket.remotePort!);
      if (req.url === '/chunked') {
        res.write('part one, ');
        setTimeout(() => res.end('part two'), 5);
        return;
      }
      if (req.url === '/close') return res.writeHead(200, { connection: 'close' }).end('bye');
      res.end('plain');
    });
    const pool = new HttpPool();
    const s = AbortSignal.timeout(5000);
    expect((await pool.request('GET', `${base}/chunked`, { signal: s })).body).toBe('part one, part two');
    expect((await pool.request('GET', `${base}/plain`, { signal: s })).body).toBe('plain');
    expect((await pool.request('GET', `${base}/close`, { signal: s })).body).toBe('bye');
    expect((await pool.request('GET', `${base}/plain`, { signal: s })).body).toBe('plain');
    expect(ports[0]).toBe(ports[1]); // kept alive after a chunked answer
    expect(ports[1]).toBe(ports[2]);
    expect(ports[3]).not.toBe(ports[2]); // a new connection after "connection: close"
    pool.close();

    const raw = createNetServer((socket) => {
      socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nto the end'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    servers.push(raw as unknown as Server);
    const unframed = new HttpPool();
    expect((await unframed.request('GET', `http://127.0.0.1:${(raw.address() as { port: number }).port}/`, { signal: s })).body).toBe('to the end');
    unframed.close();
  });

  it('a garbage answer is an error naming the URL; header values with CR or LF are refused before anything is sent', async () => {
    let received = 0;
    const raw = createNetServer((socket) => {
      socket.on('data', () => { received++; socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'); });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    servers.push(raw as unknown as Server);
    const url = `http://127.0.0.1:${(raw.address() as { port: number }).port}/x`;
    const pool = new HttpPool();
    await expect(pool.request('GET', url, { signal: AbortSignal.timeout(5000) })).rejects.toThrow(`bad HTTP answer from ${url}: not an HTTP/1.x status line`);
    expect(received).toBe(1);
    await expect(pool.request('GET', url, { headers: { 'x-a': 'v\r\nx-injected: 1' }, signal: AbortSignal.timeout(5000) })).rejects.toThrow(/invalid character in HTTP header x-a/);
    await expect(pool.request('GET', url, { headers: { 'bad name': 'v' }, signal: AbortSignal.timeout(5000) })).rejects.toThrow(/invalid HTTP header name/);
    expect(received).toBe(1);
    pool.close();
  });

  it('an idle kept-alive connection does not keep the process alive; a busy one does', async () => {
    // The server in a child process, so that this process's only socket to it is the pool's.
    const child = spawn(process.execPath, ['-e', "require('http').createServer((q, s) => setTimeout(() => s.end('ok'), 100)).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      const tcp = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
      const before = tcp();
      const pool = new HttpPool({ keepAliveMs: 600_000 });
      const pending = pool.request('GET', `http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      await new Promise((r) => setTimeout(r, 50));
      expect(tcp()).toBe(before + 1);
      expect((await pending).body).toBe('ok');
      expect(tcp()).toBe(before);
      // Used again, it is referenced again while the request runs.
      const second = pool.request('GET', `http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      await new Promise((r) => setTimeout(r, 50));
      expect(tcp()).toBe(before + 1);
      await second;
      pool.close();
    } finally {
      child.kill();
    }
  });
});

describe('HttpPool TLS', () => {
  it('verifies certificates even with NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-tls-'));
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    try {
      await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
      const [cert, key] = await Promise.all([readFile(`${dir}/c.pem`, 'utf8'), readFile(`${dir}/k.pem`, 'utf8')]);
      const server = createHttpsServer({ cert, key }, (_req, res) => res.end('reached'));
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      // The variable works in this process: a plain https.get with the defaults gets through.
      const plain = await new Promise<string>((resolve, reject) => {
        httpsGet(url, { agent: false }, (res) => { let b = ''; res.on('data', (c: Buffer) => { b += c.toString(); }); res.on('end', () => resolve(b)); }).on('error', reject);
      });
      expect(plain).toBe('reached');
      const pool = new HttpPool();
      await expect(pool.request('GET', url, { signal: AbortSignal.timeout(5000) })).rejects.toThrow(/self-signed certificate/);
      pool.close();
      // Trusted through `ca`, the same server is reached.
      const trusting = new HttpPool({ ca: cert });
      expect((await trusting.request('GET', url, { signal: AbortSignal.timeout(5000) })).body).toBe('reached');
      trusting.close();
      // Each answer closes its connection; the next connection resumes the TLS session (no full handshake).
      const resumed: boolean[] = [];
      const closing = createHttpsServer({ cert, key }, (req, res) => {
        resumed.push((req.socket as TLSSocket).isSessionReused());
        res.writeHead(200, { connection: 'close' }).end('x');
      });
      servers.push(closing);
      await new Promise<void>((r) => closing.listen(0, '127.0.0.1', r));
      const again = new HttpPool({ ca: cert });
      for (let i = 0; i < 3; i++) await again.request('GET', `https://127.0.0.1:${(closing.address() as { port: number }).port}/`, { signal: AbortSignal.timeout(5000) });
      again.close();
      expect(resumed).toEqual([false, true, true]);
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
