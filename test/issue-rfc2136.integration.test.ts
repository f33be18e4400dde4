import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { startPebble } from './support/pebble-server.js';
import { captureLog } from './support/test-log.js';
import { startBind, startKnot } from './support/update-dns-servers.js';

// End to end: pebble validates against the same BIND or Knot that certfleet updates over RFC 2136.
describe.each([['BIND 9', startBind], ['Knot', startKnot]] as const)('issuance through RFC 2136 against %s', (_label, start) => {
  it('obtains an apex + wildcard certificate with the TSIG secret from a file, and leaves no TXT record', async () => {
    const ns = await start(['example.test']);
    const pebble = await startPebble({ dnsServer: ns.address });
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-rfc2136-'));
    try {
      await writeFile(path.join(dir, 'tsig.secret'), `${ns.key.secret}\n`, { mode: 0o600 });
      const text = `acme:
  directory: ${pebble.directoryUrl}
  ca_bundle: ${pebble.caBundlePath}
store:
  path: ${path.join(dir, 'store')}
dns:
  resolvers: [${ns.address}]
  providers:
    ns:
      type: rfc2136
      server: ${ns.address}
      key_name: ${ns.key.name}
      algorithm: ${ns.key.algorithm}
      secret_file: tsig.secret
      propagation: { nameservers: [${ns.address}], timeout: 10s }
certificates:
  - name: web
    domains: [example.test, "*.example.test"]
    dns: ns
`;
      const config = parseConfig(text, path.join(dir, 'certfleet.yaml'));
      const out = await issueAll(config, captureLog().log, {}, AbortSignal.timeout(60_000));
      expect(out).toMatchObject([{ name: 'web', result: 'issued' }]);
      expect(await readdir(path.join(dir, 'store', 'live', 'web'))).toEqual(expect.arrayContaining(['fullchain.pem', 'privkey.pem']));
      expect(await ns.txt('_acme-challenge.example.test')).toEqual([]);
    } finally {
      await pebble.stop();
      await ns.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
