import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export interface ServerAddress { host: string; port: number }

export function parseServer(server: string, defaultPort = 53): ServerAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+)|)$/.exec(server);
  if (!m) throw new RangeError(`expected host or host:port, got ${JSON.stringify(server)}`);
  return { host: m[1] ?? m[2]!, port: m[3] ? Number(m[3]) : defaultPort };
}

/** Largest DNS message over UDP without EDNS (RFC 1035 §4.2.1). */
const UDP_LIMIT = 512;

/**
 * Sends one DNS message and returns the answer with the same ID: over UDP (two tries), or over
 * TCP when the message is larger than 512 bytes or the UDP answer is truncated (TC bit).
 */
export async function exchange(server: ServerAddress, message: Buffer, signal: AbortSignal, timeoutMs = 3000): Promise<Buffer> {
  if (message.length > UDP_LIMIT) return exchangeTcp(server, message, signal, timeoutMs);
  let answer: Buffer | undefined;
  for (let attempt = 1; attempt <= 2 && !answer; attempt++) {
    try {
      answer = await exchangeUdp(server, message, signal, timeoutMs);
    } catch (err) {
      if (signal.aborted || attempt === 2 || (err as Error).name !== 'TimeoutError') throw err;
    }
  }
  const truncated = (answer!.readUInt16BE(2) & 0x0200) !== 0;
  return truncated ? exchangeTcp(server, message, signal, timeoutMs) : answer!;
}

function timeoutError(server: ServerAddress, ms: number, proto: string): Error {
  return Object.assign(new Error(`no answer from ${server.host}:${server.port} over ${proto} within ${ms} ms`), { name: 'TimeoutError' });
}

type Done = (err: unknown, msg?: Buffer) => void;

/**
 * The one way an exchange ends, whatever comes first: an answer, an error, the timeout or the
 * caller's abort. `run` starts the exchange and returns how to close its socket; that happens
 * exactly once, with the timer and the abort listener removed.
 */
function settle(signal: AbortSignal, timeoutMs: number, timeout: () => Error, run: (done: Done) => () => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let close: (() => void) | undefined;
    const done: Done = (err, msg) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      close?.();
      if (err) reject(err instanceof Error ? err : new Error('DNS exchange failed', { cause: err }));
      else resolve(msg!);
    };
    const onAbort = () => done(signal.reason);
    const timer = setTimeout(() => done(timeout()), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    const closeSocket = run(done);
    if (settled) closeSocket();
    else close = closeSocket;
  });
}

function exchangeUdp(server: ServerAddress, message: Buffer, signal: AbortSignal, timeoutMs: number): Promise<Buffer> {
  return settle(signal, timeoutMs, () => timeoutError(server, timeoutMs, 'UDP'), (done) => {
    const socket = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    const id = message.readUInt16BE(0);
    socket.on('error', (err) => done(err));
    socket.on('message', (msg) => {
      // Ignore stray datagrams that are not the answer to this message.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) done(undefined, msg);
    });
    socket.send(message, server.port, server.host, (err) => { if (err) done(err); });
    return () => socket.close();
  });
}

function exchangeTcp(server: ServerAddress, message: Buffer, signal: AbortSignal, timeoutMs: number): Promise<Buffer> {
  return settle(signal, timeoutMs, () => timeoutError(server, timeoutMs, 'TCP'), (done) => {
    const socket = connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    socket.on('error', (err) => done(err));
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message])));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    socket.on('end', () => done(new Error(`${server.host}:${server.port} closed the TCP connection without an answer`)));
    return () => socket.destroy();
  });
}
