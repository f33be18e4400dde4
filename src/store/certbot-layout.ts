import nodeFs, { constants, promises as fs, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { PEM_FILES, type CertificatePaths, type PemFile } from './certificate-store.js';
import { foreignLive, foreignLiveError } from './preflight-save.js';
import { switchLinkPath, tempName } from './store-debris.js';
import { fsyncFd, syncDirectory } from './sync-directory.js';

/**
 * certbot's layout, shared by the directory store (its own `live/`) and a fleet host's local
 * directory (live-directory.ts): live/<name>/{cert,chain,fullchain,privkey}.pem are relative
 * symlinks into archive/<name>/<file><N>.pem. live/<name> itself is a symlink to a per-version
 * directory of those links, swapped by one rename, so a reader never sees a certificate from
 * one version and a key from another.
 */

export function livePaths(root: string, name: string): CertificatePaths {
  const liveDir = path.join(root, 'live', name);
  return {
    liveDir,
    cert: path.join(liveDir, 'cert.pem'),
    chain: path.join(liveDir, 'chain.pem'),
    fullchain: path.join(liveDir, 'fullchain.pem'),
    privkey: path.join(liveDir, 'privkey.pem'),
  };
}

export interface VersionWriteHooks {
  /**
   * Once the version's PEM files and links are in place, before anything is synced: writes more
   * files of this version (the directory store's pending metadata), so a
   * failure removes them too: each is pushed onto `created` as soon as it exists.
   */
  prepare?(created: string[]): Promise<void>;
  /** The last check before the switch (a stale lease refuses here); a throw writes nothing. */
  beforeSwitch?(): void | Promise<void>;
}

/**
 * Writes `version` of `name` (a number no file or directory of `name` uses yet) and switches
 * `live/<name>` to it with one rename. Every file or none: a failure before the switch removes
 * everything this call created and rethrows. After the switch nothing is synced or pruned (the
 * caller finishes: finishSwitch).
 */
export async function writeVersion(root: string, name: string, version: number, pem: Record<PemFile, string>, hooks: VersionWriteHooks, signal: AbortSignal): Promise<void> {
  const archive = path.join(root, 'archive', name);
  const live = path.join(root, 'live');
  const versions = path.join(live, '.versions', name);
  await Promise.all([archive, versions].map(ensureDir));
  const versionDir = path.join(versions, String(version));
  // Named by the version, so a killed save's link is found from its archive files (cleanCertificateDebris).
  const tmpLink = switchLinkPath(root, name, version);
  // Everything this write created, removed again if it fails before `live/` switches.
  const created: string[] = [];
  try {
    // New names nothing points to yet: written in place (no temp file), in parallel, each
    // fsynced; then one fsync per directory before `live/` switches to them.
    const writes = await Promise.allSettled(PEM_FILES.map(async (f) => {
      const target = path.join(archive, `${f}${version}.pem`);
      await writeNewFile(target, pem[f], f === 'privkey' ? 0o600 : 0o644);
      created.push(target);
    }));
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    signal.throwIfAborted();
    // The names are made synchronously (see sync-directory.ts); the fsyncs below wait on the thread pool.
    io('create', versionDir, () => nodeFs.mkdirSync(versionDir, { mode: 0o700 }));
    created.push(versionDir);
    for (const f of PEM_FILES) {
      const link = path.join(versionDir, `${f}.pem`);
      io('create', link, () => nodeFs.symlinkSync(path.relative(versionDir, path.join(archive, `${f}${version}.pem`)), link));
    }
    await hooks.prepare?.(created);
    await Promise.all([syncDir(archive), syncDir(versionDir), syncDir(versions)]);
    signal.throwIfAborted();
    const target = path.relative(live, versionDir);
    try {
      nodeFs.symlinkSync(target, tmpLink);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw pathError('create', tmpLink, err);
      // Not this save's (no save of this version got this far): left by hand or an older certfleet.
      rmSync(tmpLink, { force: true });
      io('create', tmpLink, () => nodeFs.symlinkSync(target, tmpLink));
    }
    created.push(tmpLink);
    await hooks.beforeSwitch?.();
    // rename(2) would replace a foreign link, and fails on a directory: say which it is.
    const foreign = await foreignLive(root, name);
    if (foreign) throw foreignLiveError(root, name, foreign);
    // The commit: one rename switches all four files at once.
    nodeFs.renameSync(tmpLink, path.join(live, name));
  } catch (err) {
    // Newest first and one at a time, so what is left after a kill here is still found from the
    // archive files, which go last (cleanCertificateDebris).
    for (const f of created.reverse()) {
      try {
        rmSync(f, { recursive: true, force: true });
      } catch {
        // left for the next save or the sweep (cleanCertificateDebris)
      }
    }
    throw err;
  }
}

/** After a switch: syncs `live/` and keeps the current and previous version directories (a reader may still be inside the previous one). */
export async function finishSwitch(root: string, name: string, current: number): Promise<void> {
  await syncDir(path.join(root, 'live'));
  const versions = path.join(root, 'live', '.versions', name);
  // Synchronous: a few names, on every save (a thread-pool round trip costs more CPU than the call).
  for (const d of readdirSync(versions)) {
    if (Number(d) < current - 1) await fs.rm(path.join(versions, d), { recursive: true, force: true });
  }
}

/**
 * Every directory from the root down to `name`'s files (root, live/, archive/,
 * live/.versions/, its version directories, archive/<name>/), each after its parent, and every
 * archive file of every version: what a reader passes through and reads. Names only: the
 * permissions action opens each inside its opened parent with O_NOFOLLOW.
 */
export async function layoutAccessPaths(root: string, name: string, signal: AbortSignal): Promise<{ dirs: string[]; files: string[] }> {
  signal.throwIfAborted();
  const live = path.join(root, 'live');
  const versions = path.join(live, '.versions', name);
  const archive = path.join(root, 'archive', name);
  const entries = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).sort();
  return {
    dirs: [root, live, path.join(root, 'archive'), path.join(live, '.versions'), versions, ...(await entries(versions)).map((v) => path.join(versions, v)), archive],
    files: (await entries(archive)).map((f) => path.join(archive, f)),
  };
}

/**
 * Writes `file` into the version directory `live/<name>` points to (so it switches with the
 * certificate), atomically and with exactly `mode`; returns its path under `live/<name>/`.
 */
export async function writeDerivedFile(root: string, name: string, file: string, data: Buffer, mode: number, signal: AbortSignal): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file) || (PEM_FILES as readonly string[]).some((f) => `${f}.pem` === file)) {
    throw new CertfleetError('STORE_IO', `cannot write ${JSON.stringify(file)} beside ${name}'s certificate: a plain file name other than the PEM files is expected`);
  }
  signal.throwIfAborted();
  const live = path.join(root, 'live', name);
  let dir: string;
  try {
    dir = await fs.realpath(live);
  } catch (err) {
    throw pathError('resolve', live, err);
  }
  await writeFileAtomic(path.join(dir, file), data, mode).catch((err: unknown) => { throw pathError('write', path.join(dir, file), err); });
  return path.join(live, file);
}

/**
 * Temp file in the same directory, fsync, rename, fsync the directory. The temp name names this
 * process, so a temp file left by a kill is recognised as debris (store-debris.ts).
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode: number, exclusive = false): Promise<void> {
  const tmp = tempName(file);
  await writeNewFile(tmp, data, mode);
  try {
    if (exclusive) {
      nodeFs.linkSync(tmp, file); // fails with EEXIST instead of replacing
      rmSync(tmp);
    } else {
      nodeFs.renameSync(tmp, file);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err; // callers tell EEXIST (another process won) from other errors
  }
  await syncDir(path.dirname(file));
}

/** This process's umask, read once (nothing in certfleet changes it): a mode it keeps needs no chmod. */
const UMASK = process.umask();

/**
 * Creates a file that must not exist yet with exactly `mode`, and fsyncs it (not its directory).
 * If any step fails, the file is removed again: a half-written file is never left behind (one
 * that existed before, EEXIST, is not this call's and stays).
 */
export async function writeNewFile(file: string, data: string | Buffer, mode: number): Promise<void> {
  // Open, write and close synchronously, the fsync on the thread pool (sync-directory.ts).
  const fd = io('create', file, () => nodeFs.openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode));
  try {
    nodeFs.writeFileSync(fd, data);
    if ((mode & UMASK) !== 0) nodeFs.fchmodSync(fd, mode); // open() applied the umask; the mode must be exact
    await fsyncFd(fd);
  } catch (err) {
    try {
      nodeFs.closeSync(fd);
      rmSync(file, { force: true });
    } catch {
      // a half-written file that cannot be removed now is debris for the next save or the sweep
    }
    throw pathError('write', file, err);
  }
  nodeFs.closeSync(fd);
}

/** A synchronous call, its failure as STORE_IO naming `file`. */
function io<T>(what: string, file: string, op: () => T): T {
  try {
    return op();
  } catch (err) {
    throw pathError(what, file, err);
  }
}

/**
 * `dir` and its missing parents, 0700. An existing directory (every save but a store's or a
 * certificate's first) costs one synchronous stat, not a thread-pool round trip.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch {
    // missing (or unreadable): mkdir says which
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => { throw pathError('create', dir, err); });
}

/** syncDirectory, with the directory named in the error. */
export async function syncDir(dir: string): Promise<void> {
  try {
    await syncDirectory(dir);
  } catch (err) {
    throw pathError('sync', dir, err);
  }
}

/** Node's ENOSPC on a write names no file: say which one (item 7 of issue 13). */
export function pathError(what: string, file: string, err: unknown): CertfleetError {
  if (err instanceof CertfleetError) return err;
  return new CertfleetError('STORE_IO', `cannot ${what} ${file}: ${errorMessage(err)}`, { cause: err });
}
