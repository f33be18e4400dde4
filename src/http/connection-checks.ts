import type { Server } from 'node:http';

/**
 * The two pieces of Node's HTTP server this uses (lib/_http_server.js); absent where Node differs.
 * Looked up when a server is made, not at start: loading them loads node:net and the HTTP parser,
 * which a one-shot command that serves nothing does not need.
 */
const internals = () => process.getBuiltinModule('_http_server') as { kConnectionsCheckingInterval?: unknown; setupConnectionsTracking?: unknown } | undefined;

/**
 * Node's HTTP server checks its connections against headersTimeout and requestTimeout every
 * `connectionsCheckingInterval` (30 s), whether any is open or not: an idle daemon woke twice a
 * minute per listener, and on this project's VMs each wake cost 4–8 ms of CPU after the idle
 * time (the idle bar is 10 ms a minute; docs/benchmarks.md). Called before `listen`, this makes
 * the check run only while a connection is open: the timer `listening` sets up does not come due
 * (the longest delay a timer takes), the first connection sets it up again with the server's own
 * interval (Node's setupConnectionsTracking), and the last one's close stops it. Every timeout is
 * enforced as before. Where Node's internals are not these, nothing changes.
 */
export function checkConnectionsWhileOpen(server: Server): void {
  const checked = server as CheckedServer;
  const { kConnectionsCheckingInterval: key, setupConnectionsTracking: setup } = internals() ?? {};
  if (typeof key !== 'symbol' || typeof setup !== 'function') return;
  const every = checked.connectionsCheckingInterval;
  checked.connectionsCheckingInterval = NEVER_MS;
  let open = 0;
  server.on('connection', (socket: { once(event: 'close', listener: () => void): void }) => {
    if (open++ === 0) {
      checked.connectionsCheckingInterval = every;
      (setup as (this: Server) => void).call(server);
    }
    socket.once('close', () => {
      if (--open > 0) return;
      clearInterval((server as unknown as Record<symbol, NodeJS.Timeout | undefined>)[key]);
      checked.connectionsCheckingInterval = NEVER_MS;
    });
  });
}

/** Node's Server has the option as a property (storeHTTPOptions); @types/node does not say so. */
type CheckedServer = Server & { connectionsCheckingInterval: number };

/** The longest delay a Node timer takes (about 24.8 days; a longer one fires after 1 ms). */
const NEVER_MS = 2 ** 31 - 1;

/** Whether Node's connection check of `server` is running now (tests). */
export function connectionChecksRunning(server: Server): boolean | undefined {
  const key = internals()?.kConnectionsCheckingInterval;
  if (typeof key !== 'symbol') return undefined;
  const t = (server as unknown as Record<symbol, (NodeJS.Timeout & { _destroyed?: boolean }) | undefined>)[key];
  return t !== undefined && t._destroyed !== true && (server as CheckedServer).connectionsCheckingInterval !== NEVER_MS;
}
