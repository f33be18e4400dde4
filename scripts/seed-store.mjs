// Seeds a store for the daemon benchmark and the memory probe.

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
 * Seeds `n` certificates c0…c<n-1> (c<i>.bench.test, valid 90 days from now) into the directory
 * store at `storeDir`. One self-signed certificate stands in for all of them: the daemon reads
 * metadata, not the PEM. `work` is a scratch directory for openssl's files.
 */
export async function seedCertificates({ storeDir, work, n, directory }) {
  const { execFileSync } = await import('node:child_process');
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { FileStore } = await import('../dist/store/file-store.js');
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

/** A benchmark's end: the daemon stopped (SIGTERM, awaited), pebble and PowerDNS stopped, the scratch directory removed. */
export async function stopBench({ daemon, pebble, pdns, work }) {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  await pebble.stop();
  await pdns.stop();
  const { rm } = await import('node:fs/promises');
  await rm(work, { recursive: true, force: true });
}
