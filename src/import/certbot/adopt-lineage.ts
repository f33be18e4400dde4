import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../../errors.js';
import { PEM_FILES, type CertificateMeta } from '../../store/certificate-store.js';
import { syncDirectory } from '../../store/sync-directory.js';
import { exchangePaths } from './exchange-paths.js';
import { ADOPTED_CONF_SUFFIX, liveShape, type CertbotLineage } from './read-certbot-store.js';

/** What adoptLineage did: the switch (and how), or only the finishing steps of an earlier run. */
export type Adoption = 'exchanged' | 'renamed' | 'completed';

/**
 * Switches one certbot lineage to certfleet's layout in place; call it holding the
 * certificate's lock. certbot's archive files stay where they are: they already have certfleet's
 * names (`archive/<name>/<file><N>.pem`), so version N of certbot is version N of certfleet.
 *
 * 1. `live/.versions/<name>/<N>/` with the four links into the archive, and the metadata as
 *    `renewal/<name>.json.v<N>.pending` (how a save leaves it before its switch), all fsynced;
 * 2. the switch: certbot's `live/<name>/` directory and a new link `live/.<name>.<hex>` →
 *    `.versions/<name>/<N>` swap names in one renameat2(RENAME_EXCHANGE), so `live/<name>/fullchain.pem`
 *    resolves, to the same bytes, at every instant, and a kill leaves one layout or the other;
 * 3. the metadata is renamed into place, certbot's old directory removed, and
 *    `renewal/<name>.conf` renamed to `<name>.conf.certfleet` so certbot's timer no longer renews it.
 *
 * A kill before 2 leaves certbot's layout and certfleet debris nothing refers to (removed by the
 * next import); after 2, certfleet's layout, whose pending metadata any reader already uses
 * (FileStore.readMeta) and the next import or save completes. Run again, it finishes what is left.
 */
export async function adoptLineage(root: string, lineage: CertbotLineage, meta: CertificateMeta, signal: AbortSignal): Promise<Adoption> {
  const { name } = lineage;
  const liveRoot = path.join(root, 'live');
  const live = path.join(liveRoot, name);
  const versionDir = path.join(liveRoot, '.versions', name, String(meta.version));
  const pending = path.join(root, 'renewal', `${name}.json.v${meta.version}.pending`);
  const shape = await liveShape(root, name);
  let how: Adoption = 'completed';
  if (shape.kind === 'certbot') {
    await removeLeftovers(root, name, { keepPending: false });
    await writeVersion(root, name, versionDir, meta, pending);
    signal.throwIfAborted();
    const link = path.join(liveRoot, `.${name}.${randomBytes(4).toString('hex')}`);
    await io('create', link, () => fs.symlink(path.relative(liveRoot, versionDir), link));
    how = await exchangePaths(link, live, signal) === 'exchanged' ? 'exchanged' : 'renamed';
    if (how === 'renamed') {
      // No RENAME_EXCHANGE here: two renames, and for that instant live/<name> is absent (a kill
      // then is completed by the next import: the 'missing' case below).
      await io('move', live, () => fs.rename(live, path.join(liveRoot, `.${name}.${randomBytes(4).toString('hex')}`)));
      await io('switch', live, () => fs.rename(link, live));
    }
    await syncDirectory(liveRoot);
  } else if (shape.kind === 'missing') {
    const ready = await Promise.all([exists(versionDir), exists(pending)]);
    if (!ready.every(Boolean)) throw new CertfleetError('STORE_IO', `${live} is missing and no interrupted import of version ${meta.version} is there to complete`);
    const link = path.join(liveRoot, `.${name}.${randomBytes(4).toString('hex')}`);
    await io('create', link, () => fs.symlink(path.relative(liveRoot, versionDir), link));
    await io('switch', live, () => fs.rename(link, live));
    await syncDirectory(liveRoot);
  }
  if (await exists(pending)) await io('complete the metadata of', pending, () => fs.rename(pending, path.join(root, 'renewal', `${name}.json`)));
  await removeLeftovers(root, name, { keepPending: true });
  await syncDirectory(path.join(root, 'renewal'));
  await adoptConf(lineage);
  return how;
}

/** certfleet's metadata and version directory for version N, written as a save writes them before its switch. */
async function writeVersion(root: string, name: string, versionDir: string, meta: CertificateMeta, pending: string): Promise<void> {
  const archive = path.join(root, 'archive', name);
  await io('create', versionDir, () => fs.mkdir(versionDir, { recursive: true, mode: 0o700 }));
  for (const f of PEM_FILES) {
    const link = path.join(versionDir, `${f}.pem`);
    await io('create', link, () => fs.symlink(path.relative(versionDir, path.join(archive, `${f}${meta.version}.pem`)), link));
  }
  await io('create', pending, async () => {
    const handle = await fs.open(pending, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(meta, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
  await Promise.all([versionDir, path.dirname(versionDir), path.join(root, 'renewal')].map((d) => syncDirectory(d)));
}

/**
 * What an earlier, killed import left and nothing refers to: `live/.<name>.<hex>` (a link not
 * yet switched, or certbot's old directory after the switch), and before the switch also the
 * version directories and pending metadata (after it, the pending metadata is what live/ shows).
 */
async function removeLeftovers(root: string, name: string, o: { keepPending: boolean }): Promise<void> {
  const liveRoot = path.join(root, 'live');
  const doomed: string[] = [];
  for (const e of await fs.readdir(liveRoot)) if (e.startsWith(`.${name}.`) && /^[0-9a-f]{8}$/.test(e.slice(name.length + 2))) doomed.push(path.join(liveRoot, e));
  if (!o.keepPending) {
    doomed.push(path.join(liveRoot, '.versions', name));
    for (const f of await fs.readdir(path.join(root, 'renewal'))) if (f.startsWith(`${name}.json.v`) && f.endsWith('.pending')) doomed.push(path.join(root, 'renewal', f));
  }
  await Promise.all(doomed.map((f) => io('remove', f, () => fs.rm(f, { recursive: true, force: true }))));
}

async function adoptConf(lineage: CertbotLineage): Promise<void> {
  if (lineage.confAdopted) return;
  const to = lineage.confPath.replace(/\.conf$/, ADOPTED_CONF_SUFFIX);
  await io('rename', lineage.confPath, () => fs.rename(lineage.confPath, to));
  await syncDirectory(path.dirname(to));
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

async function io<T>(what: string, file: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw new CertfleetError('STORE_IO', `cannot ${what} ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
