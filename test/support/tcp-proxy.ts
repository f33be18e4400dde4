import net from 'node:net';
import { freePort } from './free-port.js';

/**
 * A loopback TCP proxy to `target` that a test can cut, to put one process's network between it
 * and a server (PostgreSQL) while every other process keeps reaching the server directly.
 */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1 (stable across cut and restore). */
  readonly port: number;
  /** Connections accepted so far (a reconnecting client opens new ones). */
  readonly accepted: number;
  /**
   * Cuts the network: `reset` destroys every connection and refuses new ones (a stopped server, a
   * reset); `blackhole` keeps sockets open and new ones accepted but forwards nothing either way
   * (a partition: the client learns only from its own timeouts).
   */
  cut(mode?: 'reset' | 'blackhole'): Promise<void>;
  /** Forwards again: held bytes of a blackhole go through, new connections are accepted. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair { client: net.Socket; server: net.Socket }

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const pairs = new Set<Pair>();
  let mode: 'open' | 'reset' | 'blackhole' = 'open';
  let accepted = 0;
  let listener: net.Server | undefined;

  const pipe = (p: Pair) => {
    // pause/resume is how a blackhole holds bytes: the kernel buffers fill, the sender waits.
    p.client.pipe(p.server);
    p.server.pipe(p.client);
    if (mode === 'blackhole') hold(p);
  };
  const hold = (p: Pair) => { p.client.pause(); p.server.pause(); p.client.unpipe(p.server); p.server.unpipe(p.client); };
  const release = (p: Pair) => { p.client.pipe(p.server); p.server.pipe(p.client); p.client.resume(); p.server.resume(); };
  const drop = (p: Pair) => { p.client.destroy(); p.server.destroy(); pairs.delete(p); };

  const listen = () => new Promise<void>((resolve, reject) => {
    const server = net.createServer((client) => {
      accepted++;
      const upstream = net.connect(target.port, target.host);
      const p = { client, server: upstream };
      pairs.add(p);
      client.on('error', () => drop(p));
      upstream.on('error', () => drop(p));
      client.on('close', () => drop(p));
      upstream.on('close', () => drop(p));
      pipe(p);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { listener = server; resolve(); });
  });
  const unlisten = () => new Promise<void>((resolve) => {
    const l = listener;
    listener = undefined;
    if (!l) return resolve();
    l.close(() => resolve());
  });

  await listen();
  return {
    port,
    get accepted() { return accepted; },
    async cut(how = 'reset') {
      mode = how;
      if (how === 'reset') {
        for (const p of [...pairs]) drop(p);
        await unlisten();
      } else {
        for (const p of pairs) hold(p);
      }
    },
    async restore() {
      const was = mode;
      mode = 'open';
      if (was === 'blackhole') for (const p of pairs) release(p);
      if (!listener) await listen();
    },
    async close() {
      mode = 'reset';
      for (const p of [...pairs]) drop(p);
      await unlisten();
    },
  };
}
