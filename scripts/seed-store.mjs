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
