import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CertfleetError } from '../errors.js';

/**
 * `host:port`, `[v6]:port` or `:port` (every IPv4 address): the listen addresses the config
 * schema accepts. There is no default port here: the schema gives each listener its own.
 */
export function splitHostPort(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  if (!m) throw new CertfleetError('CONFIG_INVALID', `listen address ${JSON.stringify(listen)}: expected host:port, [v6]:port or :port`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/** Whether a listen address is reachable only from this host (or this Pod). */
export function isLoopbackListen(listen: string): boolean {
  const { host } = splitHostPort(listen);
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface Listening {
  /** `http://host:port`, with the port the OS chose for port 0. */
  readonly address: string;
  /** Stops accepting, closes idle keep-alive connections, resolves when the last one ended. */
  close(): Promise<void>;
}

/**
 * Binds `server` to `listen`; rejects with the OS error (EADDRINUSE, EACCES…). Takes no signal:
 * binding completes or fails at once, and the caller closes what it no longer wants.
 */
export async function listen(server: Server, listen: string): Promise<Listening> {
  const { host, port } = splitHostPort(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return {
    address: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
