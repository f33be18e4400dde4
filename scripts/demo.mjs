// make demo: pebble + PowerDNS on free loopback ports, certfleet obtains example.test + *.example.test.
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { localConfigText } from '../build/test/support/local-stack.js';

const root = path.resolve(import.meta.dirname, '..');
const work = await mkdtemp(path.join(tmpdir(), 'certfleet-demo-'));
const pdns = await startPowerDns(['example.test']);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
let status = 1;
try {
  console.log(`pebble   ${pebble.directoryUrl}\nPowerDNS ${pdns.apiUrl} (DNS ${pdns.dnsAddress})\n`);
  const configFile = path.join(work, 'certfleet.yaml');
  await writeFile(configFile, localConfigText({
    store: path.join(work, 'store'), pebble, pdns,
    certs: '  - name: example\n    domains: [example.test, "*.example.test"]\n    dns: home\n',
  }));
  console.log(`$ bin/certfleet issue --config ${configFile}`);
  const started = performance.now();
  const run = spawnSync(path.join(root, 'bin/certfleet'), ['issue', '--config', configFile, '--log-format', 'pretty'], { stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  status = run.status ?? 1;
  if (status === 0) {
    const live = path.join(work, 'store/live/example');
    const cert = new X509Certificate(await readFile(path.join(live, 'cert.pem')));
    const key = createPrivateKey(await readFile(path.join(live, 'privkey.pem')));
    const keyDesc = key.asymmetricKeyType === 'ec' ? `ECDSA ${key.asymmetricKeyDetails?.namedCurve}` : `RSA ${key.asymmetricKeyDetails?.modulusLength}`;
    console.log(`\nobtained in ${seconds} s (process start to exit)\n`);
    for (const f of ['cert', 'chain', 'fullchain', 'privkey']) console.log(`  ${path.join(live, `${f}.pem`)}`);
    console.log(`\n  (kept in ${work}; the demo CA is gone with pebble)`);
    console.log(`\n  subject    ${cert.subject}\n  SANs       ${cert.subjectAltName}\n  key        ${keyDesc}\n  issuer     ${cert.issuer.replace(/\n/g, ', ')}\n  not before ${cert.validFrom}\n  not after  ${cert.validTo}`);
  }
} finally {
  await pebble.stop();
  await pdns.stop();
}
process.exitCode = status;
