import { splitHostPort } from '../server/http-server.js';

/** Whether a `host:port` to listen on is reachable only from this host (or this Pod). */
export function isLoopbackListen(listen: string): boolean {
  const { host } = splitHostPort(listen);
  return host === 'localhost' || host.replace(/^\[(.*)\]$/, '$1') === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
