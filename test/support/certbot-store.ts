import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PebbleServer } from './pebble-server.js';
import type { PowerDnsServer } from './powerdns-server.js';

const run = promisify(execFile);

export interface CertbotLineage {
  /** certbot's --cert-name. */
  name: string;
  domains: string[];
  keyType: 'ecdsa' | 'rsa';
}

/**
 * A store made by the real certbot (Debian's 2.1) against pebble, in `dir` (its --config-dir),
 * with the manual DNS-01 hooks writing the TXT records to the test PowerDNS through its API (as
 * scripts/bench-peer.mjs does). `renewals` more `certonly --force-renewal` runs per lineage give
 * it archive versions 2, 3, …. Also drops a script into renewal-hooks/deploy/.
 */
export async function makeCertbotStore(o: {
  dir: string;
  pebble: Pick<PebbleServer, 'directoryUrl' | 'caBundlePath'>;
  pdns: Pick<PowerDnsServer, 'apiUrl' | 'apiKey'>;
  zone: string;
  lineages: CertbotLineage[];
  renewals?: number;
}): Promise<void> {
  await mkdir(o.dir, { recursive: true });
  const hook = path.join(o.dir, '..', 'certbot-dns-hook.sh');
  // One value per TXT name (REPLACE): lineages must not name an apex and its wildcard together.
  await writeFile(hook, `#!/bin/sh
set -e
name="_acme-challenge.$CERTBOT_DOMAIN."
zone="$PDNS_API_URL/api/v1/servers/localhost/zones/${o.zone}."
if [ "$1" = auth ]; then
  body="{\\"rrsets\\":[{\\"name\\":\\"$name\\",\\"type\\":\\"TXT\\",\\"ttl\\":60,\\"changetype\\":\\"REPLACE\\",\\"records\\":[{\\"content\\":\\"\\\\\\"$CERTBOT_VALIDATION\\\\\\"\\",\\"disabled\\":false}]}]}"
else
  body="{\\"rrsets\\":[{\\"name\\":\\"$name\\",\\"type\\":\\"TXT\\",\\"changetype\\":\\"DELETE\\"}]}"
fi
curl -sf -X PATCH -H "X-API-Key: $PDNS_API_KEY" -H 'content-type: application/json' --data "$body" "$zone"
`);
  await chmod(hook, 0o755);
  const certbot = (l: CertbotLineage, extra: string[]) => run('certbot', [
    'certonly', '--non-interactive', '--agree-tos', '-m', 'admin@example.test', '--server', o.pebble.directoryUrl,
    '--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', `${hook} auth`, '--manual-cleanup-hook', `${hook} cleanup`,
    '--key-type', l.keyType, '--config-dir', o.dir, '--work-dir', path.join(o.dir, '..', 'certbot-work'), '--logs-dir', path.join(o.dir, '..', 'certbot-logs'),
    '--cert-name', l.name, '--deploy-hook', 'systemctl reload nginx', ...l.domains.flatMap((d) => ['-d', d]), ...extra,
  ], { env: { ...process.env, REQUESTS_CA_BUNDLE: o.pebble.caBundlePath, PDNS_API_KEY: o.pdns.apiKey, PDNS_API_URL: o.pdns.apiUrl } });
  for (const l of o.lineages) {
    // certbot 2.1 against pebble now and then dies with "AttributeError: can't set attribute"
    // on a badNonce retry (scripts/bench-peer.mjs): one more try.
    const once = (extra: string[]) => certbot(l, extra).catch(() => certbot(l, extra));
    await once([]);
    for (let i = 0; i < (o.renewals ?? 0); i++) await once(['--force-renewal']);
  }
  const deployDir = path.join(o.dir, 'renewal-hooks', 'deploy');
  await mkdir(deployDir, { recursive: true });
  await writeFile(path.join(deployDir, '50-reload-haproxy.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
}

/**
 * A digest of everything under `dir`: every path, its type and mode, a link's target and a
 * file's bytes. Equal digests: nothing was created, removed, renamed, rewritten or chmodded.
 */
export async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const full = path.join(dir, rel);
    const st = await lstat(full);
    hash.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) hash.update(await readlink(full));
    else if (st.isFile()) hash.update(await readFile(full));
    else if (st.isDirectory()) for (const e of (await readdir(full)).sort()) await walk(path.join(rel, e));
    hash.update('\n');
  };
  await walk('.');
  return hash.digest('hex');
}
