import { splitHostPort } from './listen.js';

/** Whether a listen address is reachable only from this host (or this Pod). */
export function isLoopbackListen(listen: string): boolean {
  const { host } = splitHostPort(listen);
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
