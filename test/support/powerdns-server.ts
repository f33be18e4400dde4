import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { ProcessHandle, startWithRetry } from './process-handle.js';
import { registerSecret } from './secret-scan.js';
import { removeTree } from './remove-tree.js';

const run = promisify(execFile);

export interface PowerDnsServer {
  dnsAddress: string;
  apiUrl: string;
  apiKey: string;
  createZone(zone: string): Promise<void>;
  /** SIGKILLs the server (an outage); its ports and data stay for restart(). */
  kill(): Promise<void>;
  /** Starts the server again on the same ports and data, and waits until its API answers. */
  restart(): Promise<void>;
  stop: () => Promise<void>;
}

/** Debian's pdns-server with the sqlite3 backend on free loopback ports. */
export function startPowerDns(zones: string[] = []): Promise<PowerDnsServer> {
  return startWithRetry(() => startOnce(zones));
}

async function startOnce(zones: string[]): Promise<PowerDnsServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-pdns-'));
  const [dnsPort, apiPort] = [await freePort(), await freePort()];
  // Long enough for production mode (the container test runs the image with its default, production).
  const apiKey = `test-${randomBytes(20).toString('hex')}`;
  registerSecret(apiKey);
  const db = path.join(dir, 'pdns.sqlite3');
  await run('sqlite3', [db, `.read /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql`]);
  await writeFile(path.join(dir, 'pdns.conf'), [
    'launch=gsqlite3', `gsqlite3-database=${db}`, 'local-address=127.0.0.1', `local-port=${dnsPort}`,
    'api=yes', `api-key=${apiKey}`, 'webserver=yes', 'webserver-address=127.0.0.1', `webserver-port=${apiPort}`,
    'webserver-allow-from=127.0.0.1/32', `socket-dir=${dir}`, 'daemon=no', 'guardian=no', 'disable-syslog=yes',
    'loglevel=3', 'cache-ttl=0', 'negquery-cache-ttl=0', 'query-cache-ttl=0', 'zone-cache-refresh-interval=0',
    '',
  ].join('\n'));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const launch = async () => {
    const p = ProcessHandle.start('pdns_server', '/usr/sbin/pdns_server', [`--config-dir=${dir}`]);
    try {
      await p.waitReady(async () => (await fetch(`${apiUrl}/api/v1/servers/localhost`, { headers: { 'x-api-key': apiKey } })).ok);
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  };
  let proc: ProcessHandle;
  try {
    proc = await launch();
  } catch (err) {
    await removeTree(dir);
    throw err;
  }
  const server: PowerDnsServer = {
    dnsAddress: `127.0.0.1:${dnsPort}`,
    apiUrl,
    apiKey,
    async createZone(zone) {
      const res = await fetch(`${apiUrl}/api/v1/servers/localhost/zones`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${zone}.`, kind: 'Native', nameservers: [`ns1.${zone}.`] }),
      });
      if (res.status !== 201) throw new Error(`creating zone ${zone}: HTTP ${res.status} ${await res.text()}`);
    },
    async kill() {
      await proc.stop('SIGKILL');
    },
    async restart() {
      // The old process's sockets are gone once it has exited; a bind may still race a
      // TIME_WAIT on the API port for a moment, so a failed start is tried again.
      proc = await startWithRetry(launch, 5);
    },
    async stop() {
      await proc.stop();
      await removeTree(dir);
    },
  };
  for (const z of zones) await server.createZone(z);
  return server;
}
