import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkConnectionsWhileOpen } from './connection-checks.js';

/** The host and port of `host:port` (`[v6]:port`; an empty host is every IPv4 address); no port, no `port`. */
export function splitHostPort(listen: string): { host: string; port?: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) return { host: listen.replace(/^\[(.*)\]$/, '$1') };
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/**
 * Starts `server` on `where` (host:port, port 0 for any free one) and answers its address as a
 * URL, `http://[::1]:8080` for IPv6. A bind failure (EADDRINUSE, EACCES) rejects. Its timeouts
 * are checked only while a connection is open (checkConnectionsWhileOpen): an idle listener never wakes.
 */
export async function listen(server: Server, where: string): Promise<string> {
  const { host, port } = splitHostPort(where);
  if (port === undefined) throw new RangeError(`expected host:port to listen on, got ${JSON.stringify(where)}`);
  checkConnectionsWhileOpen(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
