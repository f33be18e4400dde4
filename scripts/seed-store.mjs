// Seeds a store for the daemon benchmark and the memory probe.
import { mkdirSync, linkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileStore } from '../dist/store/file-store.js';
import { StoreIndex } from '../dist/store/store-index.js';

/** Saves a seeded certificate the way the pipeline does: under its lease. */
export async function seedSave(store, cert) {
  const signal = AbortSignal.timeout(60_000);
  const lease = await store.lock(cert.meta.name, signal);
  try {
    await store.save(cert, lease, signal);
  } finally {
    await lease.release();
  }
}

/**
 * Writes `metas` (version 1 each) straight in the store's on-disk layout, as FileStore.save leaves
 * it: archive/<name>/<file>1.pem (hard links of one PEM each: the daemon reads metadata, not
 * PEMs), live/.versions/<name>/1/ with relative links, live/<name> -> .versions/<name>/1,
 * renewal/<name>.json, and state/<name>.json when `state(name)` gives one. Saving 100,000
 * certificates through FileStore (four fsyncs each) takes many minutes; this takes seconds.
 * The index is written by the store's own code (StoreIndex), as a store that ran before has it.
 */
export function seedLayout(root, metas, pem, state = () => undefined) {
  for (const d of ['archive', 'live/.versions', 'renewal', 'state', '../seed-pem']) mkdirSync(path.join(root, d), { recursive: true, mode: 0o700 });
  // A file takes at most 65,000 links (ext4): one source copy per 60,000 certificates.
  const source = (f, i) => {
    const file = path.join(root, '..', 'seed-pem', `${f}${Math.floor(i / 60_000)}.pem`);
    if (i % 60_000 === 0) writeFileSync(file, pem[f], { mode: f === 'privkey' ? 0o600 : 0o644 });
    return file;
  };
  const rows = [];
  for (const [i, m] of metas.entries()) {
    const meta = { ...m, version: 1 };
    const archive = path.join(root, 'archive', meta.name);
    const versionDir = path.join(root, 'live', '.versions', meta.name, '1');
    mkdirSync(archive, { mode: 0o700 });
    mkdirSync(versionDir, { recursive: true, mode: 0o700 });
    for (const f of Object.keys(pem)) {
      linkSync(source(f, i), path.join(archive, `${f}1.pem`));
      symlinkSync(path.relative(versionDir, path.join(archive, `${f}1.pem`)), path.join(versionDir, `${f}.pem`));
    }
    symlinkSync(path.join('.versions', meta.name, '1'), path.join(root, 'live', meta.name));
    writeFileSync(path.join(root, 'renewal', `${meta.name}.json`), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
    const s = state(meta.name);
    const versioned = s ? { version: 1, state: s } : undefined;
    if (versioned) writeFileSync(path.join(root, 'state', `${meta.name}.json`), `${JSON.stringify(versioned, null, 2)}\n`, { mode: 0o600 });
    rows.push({ name: meta.name, gen: undefined, meta, state: versioned });
  }
  const { index } = StoreIndex.open(new FileStore({ root }).indexFile);
  for (let i = 0; i < rows.length; i += 5000) index.fill(rows.slice(i, i + 5000));
  index.close();
}

/**
 * Seeds `n` certificates c0…c<n-1> (c<i>.bench.test, valid 90 days from now) into the directory
 * store at `storeDir`. One self-signed certificate stands in for all of them: the daemon reads
 * metadata, not the PEM. `work` is a scratch directory for openssl's files.
 */
export async function seedCertificates({ storeDir, work, n, directory }) {
  const { execFileSync } = await import('node:child_process');
  const { readFile } = await import('node:fs/promises');
  const key = path.join(work, 'seed.key');
  const crt = path.join(work, 'seed.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '90', '-subj', '/CN=seed.bench.test'], { stdio: 'ignore' });
  const [certPem, keyPem] = await Promise.all([readFile(crt, 'utf8'), readFile(key, 'utf8')]);
  const store = new FileStore({ root: storeDir });
  const notBefore = new Date().toISOString();
  const notAfter = new Date(Date.now() + 90 * 86_400_000).toISOString();
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => seedSave(store, {
      meta: { name: `c${i + j}`, domains: [`c${i + j}.bench.test`], keyType: 'ecdsa-p256', notBefore, notAfter, issuer: 'CN=seed', serial: String(i + j), account: '', orderUrl: '', issuedAt: notBefore, directory },
      pem: { cert: certPem, chain: '', fullchain: certPem, privkey: keyPem },
    })));
  }
}

/**
 * A benchmark's start, stopBench's twin: PowerDNS with the zone bench.test, pebble resolving
 * through it, and a scratch directory `certfleet-<name>-*` with the paths of its store and config.
 */
export async function startBench(name) {
  const [{ mkdtemp }, os, { startPowerDns }, { startPebble }] = await Promise.all([
    import('node:fs/promises'), import('node:os'), import('../build/test/support/powerdns-server.js'), import('../build/test/support/pebble-server.js'),
  ]);
  const pdns = await startPowerDns(['bench.test']);
  const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
  const work = await mkdtemp(path.join(os.tmpdir(), `certfleet-${name}-`));
  return { pdns, pebble, work, storeDir: path.join(work, 'store'), configFile: path.join(work, 'certfleet.yaml') };
}

/** A benchmark's end: the daemon stopped (SIGTERM, awaited), pebble and PowerDNS stopped, the scratch directory removed. */
export async function stopBench({ daemon, pebble, pdns, work }) {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  await pebble.stop();
  await pdns.stop();
  const { removeTree } = await import('../build/test/support/remove-tree.js');
  await removeTree(work);
}
