import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TsigAlgorithm } from '../../src/dns/rfc2136/tsig.js';
import { freePort } from './free-port.js';
import { ProcessHandle, startWithRetry } from './process-handle.js';
import { registerSecret } from './secret-scan.js';

/** A DNS primary that accepts RFC 2136 updates signed with one TSIG key, on a free loopback port. */
export interface UpdateDnsServer {
  kind: 'bind' | 'knot';
  address: string;
  key: { name: string; algorithm: TsigAlgorithm; secret: string };
  /** TXT values at `fqdn`, asked over DNS. */
  txt: (fqdn: string) => Promise<string[]>;
  /** The server's own output (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
}

function zoneFile(zone: string): string {
  return `$ORIGIN ${zone}.\n$TTL 60\n@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 600 86400 60\n@ IN NS ns1.${zone}.\nns1 IN A 127.0.0.1\n`;
}

function newKey(algorithm: TsigAlgorithm = 'hmac-sha256') {
  const secret = randomBytes(32).toString('base64');
  registerSecret(secret);
  return { name: 'certfleet-test-key', algorithm, secret };
}

/** TXT values at a name, asked of one DNS server; an empty list when the name has none. */
export function txtReader(address: string) {
  const r = new Resolver({ timeout: 1000, tries: 2 });
  const [host, port] = address.split(':');
  r.setServers([`${host!}:${port!}`]);
  return async (fqdn: string) => {
    try {
      return (await r.resolveTxt(fqdn)).map((parts) => parts.join(''));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENODATA' || (err as NodeJS.ErrnoException).code === 'ENOTFOUND') return [];
      throw err;
    }
  };
}

/** Waits until the started server answers for its first zone; on failure stops it and removes its directory. */
async function serving(kind: UpdateDnsServer['kind'], proc: ProcessHandle, dir: string, port: number, key: UpdateDnsServer['key'], zone: string): Promise<UpdateDnsServer> {
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const r = new Resolver({ timeout: 500, tries: 1 });
  r.setServers([address]);
  try {
    await proc.waitReady(async () => (await r.resolveSoa(zone)).serial > 0);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind, address, key, txt: txtReader(address), output: () => proc.output.join(''), stop };
}

/**
 * BIND 9 from Debian (`named -g`), zones writable by the key (`update-policy grant ... zonesub
 * <updateTypes>`); `readOnly` zones are served but the key may not update them (REFUSED).
 */
export function startBind(zones: string[], algorithm?: TsigAlgorithm, readOnly: string[] = [], updateTypes = 'TXT'): Promise<UpdateDnsServer> {
  return startWithRetry(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-bind-'));
    const port = await freePort();
    const key = newKey(algorithm);
    for (const z of [...zones, ...readOnly]) await writeFile(path.join(dir, `${z}.zone`), zoneFile(z));
    await writeFile(path.join(dir, 'named.conf'), `key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };
options {
  directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  recursion no;
  dnssec-validation no;
  notify no;
  allow-query { any; };
};
controls { };
${zones.map((z) => `zone "${z}" { type primary; file "${dir}/${z}.zone"; update-policy { grant ${key.name} zonesub${updateTypes ? ` ${updateTypes}` : ""}; }; allow-transfer { key ${key.name}; }; };`).join('\n')}
${readOnly.map((z) => `zone "${z}" { type primary; file "${dir}/${z}.zone"; };`).join('\n')}
`);
    const proc = ProcessHandle.start('named', '/usr/sbin/named', ['-g', '-c', path.join(dir, 'named.conf'), '-u', 'root']);
    return serving('bind', proc, dir, port, key, zones[0]!);
  });
}

/** Knot DNS from Debian (`knotd`), zones with an ACL that lets the key update. */
/** `readOnly` zones are served without the update ACL. */
export function startKnot(zones: string[], algorithm?: TsigAlgorithm, readOnly: string[] = []): Promise<UpdateDnsServer> {
  return startWithRetry(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-knot-'));
    const port = await freePort();
    const key = newKey(algorithm);
    for (const z of [...zones, ...readOnly]) await writeFile(path.join(dir, `${z}.zone`), zoneFile(z));
    await writeFile(path.join(dir, 'knot.conf'), `server:
    rundir: "${dir}"
    listen: 127.0.0.1@${port}
log:
  - target: stderr
    any: info
database:
    storage: "${dir}"
control:
    listen: "${dir}/knot.sock"
key:
  - id: ${key.name}
    algorithm: ${key.algorithm}
    secret: ${key.secret}
acl:
  - id: update
    key: ${key.name}
    action: [update, transfer]
template:
  - id: default
    storage: "${dir}"
    file: "%s.zone"
    zonefile-sync: -1
zone:
${zones.map((z) => `  - domain: ${z}\n    acl: update`).join('\n')}
${readOnly.map((z) => `  - domain: ${z}`).join('\n')}
`);
    const proc = ProcessHandle.start('knotd', '/usr/sbin/knotd', ['-c', path.join(dir, 'knot.conf')]);
    return serving('knot', proc, dir, port, key, zones[0]!);
  });
}
