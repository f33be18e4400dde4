import { accessSync, constants, lstatSync, promises as fs, readlinkSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';

/** A save writes about 10 KiB in about 12 new names; the preflight asks for a wide margin of both. */
export const PREFLIGHT_FREE_BYTES = 1024 * 1024;
export const PREFLIGHT_FREE_INODES = 64;

/**
 * What `live/<name>` is when it is not certfleet's link to one of its version directories
 * (`.versions/<name>/<N>`): "certbot's directory", "a directory", "a file", "a link to …".
 * undefined when it is certfleet's or absent. Nothing of certfleet may write, clean or sweep
 * such a lineage: its archive files are another tool's live certificate.
 */
export async function foreignLive(root: string, name: string): Promise<string | undefined> {
  const live = path.join(root, 'live', name);
  // Synchronous: run twice per save, and a thread-pool round trip costs more CPU than an lstat.
  let st;
  try {
    st = lstatSync(live);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CertfleetError('STORE_IO', `cannot check ${live}: ${errorMessage(err)}`, { cause: err });
  }
  if (!st) return undefined;
  if (st.isSymbolicLink()) {
    const target = readlinkSync(live);
    return /^\.versions\/[^/]+\/\d+$/.test(target) ? undefined : `a link to ${target}`;
  }
  if (!st.isDirectory()) return 'a file';
  const certbots = await fs.lstat(path.join(live, 'cert.pem')).then((s) => s.isSymbolicLink(), () => false);
  return certbots ? "certbot's directory" : 'a directory';
}

/** The typed error for a foreign `live/<name>`: what it is, where, and what to do. */
export function foreignLiveError(root: string, name: string, what: string): CertfleetError {
  const live = path.join(root, 'live', name);
  const todo = what === "certbot's directory"
    ? `run "certfleet import certbot ${root}" to adopt it in place (nothing is reissued)`
    : `move it away to let certfleet manage ${name}`;
  return new CertfleetError('STORE_IO', `${live} is ${what}, not certfleet's link: ${todo}; nothing was ordered`);
}

/**
 * Whatever would stop a save of `name`, found before anything is asked of the CA (a
 * certificate ordered and then thrown away costs rate limit): a foreign `live/<name>`, a store
 * directory this process cannot write, less free room than a save needs with a wide margin.
 * It creates nothing but the store root, so a refused certificate leaves no debris.
 */
export async function preflightSave(root: string, name: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const foreign = await foreignLive(root, name);
  if (foreign) throw foreignLiveError(root, name, foreign);
  let room;
  try {
    if (!isDirectory(root)) await fs.mkdir(root, { recursive: true, mode: 0o700 });
    // Synchronous, as the checks below: one per issuance, and a thread-pool round trip costs
    // several times the CPU of the call (7 access calls were 0.7 ms of a certificate's CPU).
    room = statfsSync(root);
  } catch (err) {
    throw new CertfleetError('STORE_IO', `cannot check the store ${root}: ${errorMessage(err)}`, { cause: err });
  }
  // Every directory a save writes in, where it exists (a missing one is made in its parent, checked before it).
  const dirs = [root, ...['live', 'archive', 'renewal', `archive/${name}`, 'live/.versions', `live/.versions/${name}`].map((d) => path.join(root, d))];
  for (const dir of dirs) {
    const denied = writableError(dir);
    if (denied) {
      throw new CertfleetError('STORE_IO', `the store directory ${dir} is not writable by this process (uid ${process.getuid?.() ?? '?'}): ${errorMessage(denied)}; fix its owner or mode, or run certfleet as the store's owner; nothing was ordered`);
    }
  }
  const freeBytes = room.bavail * room.bsize;
  if (freeBytes < PREFLIGHT_FREE_BYTES || room.ffree < PREFLIGHT_FREE_INODES) {
    throw new CertfleetError('STORE_IO', `the store ${root} is full (${Math.floor(freeBytes / 1024)} KiB and ${room.ffree} inodes free; a save needs ${PREFLIGHT_FREE_BYTES / 1024} KiB and ${PREFLIGHT_FREE_INODES}): nothing was ordered; free some space`, { retryable: true });
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Why this process cannot create names in `dir`; undefined when it can or `dir` is missing. */
function writableError(dir: string): NodeJS.ErrnoException | undefined {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : err as NodeJS.ErrnoException;
  }
}
