// temporary: memory of an in-process daemon with N seeded certificates
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileStore } from '../dist/store/file-store.js';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { localConfigText } from '../build/test/support/local-stack.js';

/** Saves a seeded certificate the way the pipeline does: under its lease. */
async function seedSave(store, cert) {
  const signal = AbortSignal.timeout(60_000);
  const lease = await store.lock(cert.meta.name, signal);
  try {
    await store.save(cert, lease, signal);
  } finally {
    await lease.release();
  }
}
const mu = (l) => { const m = process.memoryUsage(); console.log(l, Object.entries(m).map(([k, v]) => `${k}=${(v / 2 ** 20).toFixed(0)}`).join(' ')); };
mu('start');
const pdns = await startPowerDns(['bench.test']);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
const work = await mkdtemp(path.join(os.tmpdir(), 'memprobe-'));
const storeDir = path.join(work, 'store');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${work}/k`, '-out', `${work}/c`, '-days', '90', '-subj', '/CN=s'], { stdio: 'ignore' });
const certPem = await readFile(`${work}/c`, 'utf8'); const keyPem = await readFile(`${work}/k`, 'utf8');
const store = new FileStore({ root: storeDir });
const nb = new Date().toISOString(); const na = new Date(Date.now() + 90 * 864e5).toISOString();
for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => seedSave(store, { meta: { name: `c${i + j}`, domains: [`c${i + j}.bench.test`], keyType: 'ecdsa-p256', notBefore: nb, notAfter: na, issuer: 'x', serial: '1', account: '', orderUrl: '', issuedAt: nb, directory: pebble.directoryUrl }, pem: { cert: certPem, chain: '', fullchain: certPem, privkey: keyPem } })));
const file = path.join(work, 'c.yaml');
await writeFile(file, localConfigText({ store: storeDir, pebble, pdns, certs: Array.from({ length: 1000 }, (_, i) => `  - name: c${i}\n    domains: [c${i}.bench.test]\n    dns: home\n`).join(''), extraTop: 'server:\n  listen: 127.0.0.1:0\n' }));
globalThis.gc?.(); mu('seeded');
const { Daemon } = await import('../dist/daemon/daemon.js');
const { createLogger, Redactor } = await import('../dist/log.js');
globalThis.gc?.(); mu('imported');
const r = new Redactor();
const d = await Daemon.start({ configFile: file, log: createLogger({ format: 'json', level: 'warn', redactor: r }), redactor: r });
mu('started');
await new Promise((res) => setTimeout(res, 3000));
mu('after 3s'); globalThis.gc?.(); mu('after gc');
await d.stop(); await pebble.stop(); await pdns.stop();
