import { randomBytes } from 'node:crypto';
// Reads of one certificate's few names are synchronous (a thread-pool round trip costs more CPU than they do).
import { lstatSync, promises as fs, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { currentProcess, formatIdentity, parseIdentity, processState } from './process-identity.js';
import { readOwner } from './lock-file.js';
import { foreignLive, foreignLiveError } from './preflight-save.js';

/**
 * What crashes and full disks leave in the store, and when it is safe to remove.
 * Everything a save writes (archive files, version directories, `live/.<name>.<hex>` links,
 * pending metadata) is written only under the certificate's lock, so under that lock whatever the
 * current version does not use is debris. Temp files of atomic writes elsewhere (state/,
 * accounts/) may be written without a lock: they are debris once their writer (named in the file
 * name) is certainly dead, or once they are older than any write takes.
 */

const PEM = /^(cert|chain|fullchain|privkey)(\d+)\.pem$/;

/** `<file>.<hex>-<pid>-<start>-<host>.tmp`: the temp name of an atomic write names its writer. */
export function tempName(file: string): string {
  return `${file}.${randomBytes(3).toString('hex')}-${formatIdentity(currentProcess())}.tmp`;
}

/** `renewal/<name>.json.v<N>.pending`: metadata of version N, written before `live/` switches to N. */
export function pendingMetaPath(root: string, name: string, version: number): string {
  return path.join(root, 'renewal', `${name}.json.v${version}.pending`);
}

/** The version `live/<name>` points to, or 0. */
export function liveVersion(root: string, name: string): Promise<number> {
  return Promise.resolve(liveVersionNow(root, name));
}

/** liveVersion with one synchronous readlink. */
export function liveVersionNow(root: string, name: string): number {
  let target = '';
  try {
    target = readlinkSync(path.join(root, 'live', name));
  } catch {
    // absent (or not a link): no version of certfleet's is live
  }
  const m = /^\.versions\/[^/]+\/(\d+)$/.exec(target);
  return m ? Number(m[1]) : 0;
}

/** Every version number present in the archive or as a version directory (a new save must avoid them all). */
export async function versionsPresent(root: string, name: string): Promise<number[]> {
  const [archive, dirs] = await Promise.all([
    readdirOrEmpty(path.join(root, 'archive', name)),
    readdirOrEmpty(path.join(root, 'live', '.versions', name)),
  ]);
  return [
    ...archive.map((f) => PEM.exec(f)?.[2]).filter((n): n is string => n !== undefined).map(Number),
    ...dirs.filter((d) => /^\d+$/.test(d)).map(Number),
  ];
}

/** `live/.<name>.<8 hex digits of version>`: the link a save of that version renames over `live/<name>`. */
export function switchLinkPath(root: string, name: string, version: number): string {
  return path.join(root, 'live', `.${name}.${version.toString(16).padStart(8, '0')}`);
}

/**
 * Under the certificate's lock: completes a save that switched `live/` but died before its
 * metadata was renamed into place, then removes every archive file and version directory above
 * the current version, with that version's switch link and pending metadata.
 * Returns the current version (what `live/` or the metadata points to, whichever is newer).
 *
 * O(1) in the number of certificates: only `name`'s own directories are read, and the other names
 * a save writes are derived from the versions found there (a save creates its archive files
 * first and a failed one removes them last: writeVersion). What no save of `name` can leave
 * behind here (temp files of state writes, links with other names, an older certfleet's random
 * link names) is the start sweep's: sweepTemps and, for certificates it suspects, this function.
 */
export async function cleanCertificateDebris(root: string, name: string, opts: { tempAgeMs: number }, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  // Another tool's lineage (certbot's live/<name> directory): every archive file would look like
  // debris above version 0, and they are what its live/ links serve.
  const foreign = await foreignLive(root, name);
  if (foreign) throw foreignLiveError(root, name, foreign);
  const metaPath = path.join(root, 'renewal', `${name}.json`);
  const live = liveVersionNow(root, name);
  let meta = metaVersion(metaPath);
  if (live > meta && exists(pendingMetaPath(root, name, live))) {
    await io('complete the metadata of', metaPath, () => fs.rename(pendingMetaPath(root, name, live), metaPath));
    meta = live;
  }
  const keep = Math.max(live, meta);
  const doomed: string[] = [];
  const above = new Set<number>();
  const archive = path.join(root, 'archive', name);
  for (const f of ownEntries(archive)) {
    const m = PEM.exec(f);
    if (m && Number(m[2]) > keep) {
      doomed.push(path.join(archive, f));
      above.add(Number(m[2]));
    }
  }
  const versions = path.join(root, 'live', '.versions', name);
  for (const d of ownEntries(versions)) {
    if (/^\d+$/.test(d) && Number(d) > keep) {
      doomed.push(path.join(versions, d));
      above.add(Number(d));
    }
  }
  for (const v of above) doomed.push(switchLinkPath(root, name, v), pendingMetaPath(root, name, v));
  // The links and metadata first: what a reader or the next save could take for a version.
  await removeAll(doomed.filter((f) => !f.startsWith(archive + path.sep) && !f.startsWith(versions + path.sep)));
  await removeAll(doomed.filter((f) => f.startsWith(archive + path.sep) || f.startsWith(versions + path.sep)));
  return keep;
}

/**
 * For the start sweep: what of `names` lies outside their own directories, which
 * cleanCertificateDebris does not look for: `live/.<name>.<hex>` links of any hex (an older
 * certfleet's random names), pending metadata and temp files of `renewal/<name>.json`, and temp
 * files of `state/<name>.json` whose writer is gone. Reads live/, renewal/ and state/ once each,
 * for all of them; the sweep removes each name's under its lock.
 */
export async function strayDebris(root: string, names: ReadonlySet<string>, opts: { tempAgeMs: number }, signal: AbortSignal): Promise<Map<string, string[]>> {
  const stray = new Map<string, string[]>();
  const add = (name: string, file: string) => stray.set(name, [...stray.get(name) ?? [], file]);
  for (const l of await readdirOrEmpty(path.join(root, 'live'))) {
    const m = /^\.(.+)\.[0-9a-f]{8}$/.exec(l);
    if (m && names.has(m[1]!)) add(m[1]!, path.join(root, 'live', l));
  }
  for (const f of await readdirOrEmpty(path.join(root, 'renewal'))) {
    const i = f.indexOf('.json.');
    const rest = f.slice(i + 6);
    if (i > 0 && names.has(f.slice(0, i)) && (/^v\d+\.pending$/.test(rest) || isTempSuffix(rest))) add(f.slice(0, i), path.join(root, 'renewal', f));
  }
  const state = path.join(root, 'state');
  for (const f of await readdirOrEmpty(state)) {
    const i = f.indexOf('.json.');
    if (i > 0 && names.has(f.slice(0, i)) && isTempSuffix(f.slice(i + 6)) && await isDeadTemp(path.join(state, f), opts.tempAgeMs, signal)) add(f.slice(0, i), path.join(state, f));
  }
  return stray;
}

/**
 * The certificates that may have debris cleanCertificateDebris would remove, found without any
 * lock and with each store directory read once: stray `live/.<name>.<hex>` links, pending or temp
 * metadata, and archive files or version directories above the version `live/` shows. The sweep
 * locks and cleans only these, so a start costs no lock (and no fencing-token fsync) per
 * certificate, and no directory is read once per certificate.
 */
export async function certificatesWithDebris(root: string, names: string[], signal: AbortSignal): Promise<string[]> {
  const suspects = new Set<string>();
  const known = new Set(names);
  for (const l of await readdirOrEmpty(path.join(root, 'live'))) {
    const m = /^\.(.+)\.[0-9a-f]{8}$/.exec(l);
    if (m && known.has(m[1]!)) suspects.add(m[1]!);
  }
  for (const f of await readdirOrEmpty(path.join(root, 'renewal'))) {
    const i = f.indexOf('.json.');
    if (i > 0 && known.has(f.slice(0, i))) suspects.add(f.slice(0, i));
  }
  for (const name of names) {
    signal.throwIfAborted();
    // Never another tool's lineage (cleanCertificateDebris refuses it): the sweep leaves it alone.
    if (await foreignLive(root, name)) {
      suspects.delete(name);
      continue;
    }
    if (suspects.has(name)) continue;
    const live = liveVersionNow(root, name);
    const above = (v: number) => v > live;
    const archived = (await readdirOrEmpty(path.join(root, 'archive', name))).map((f) => Number(PEM.exec(f)?.[2] ?? 0));
    const dirs = (await readdirOrEmpty(path.join(root, 'live', '.versions', name))).map((d) => (/^\d+$/.test(d) ? Number(d) : 0));
    if (archived.some(above) || dirs.some(above)) suspects.add(name);
  }
  return names.filter((n) => suspects.has(n));
}

/**
 * Store-wide leftovers that need no certificate lock: temp files of dead writers or older than
 * `tempAgeMs` in renewal/, state/, accounts/*, locks/, fences/ and live/, old `live/.<name>.<hex>` links,
 * lock-removal rights whose lock generation is gone, and old `*.lock.stale.<hex>` of older
 * versions' takeovers. Returns what was removed.
 */
export async function sweepTemps(root: string, opts: { tempAgeMs: number }, signal: AbortSignal): Promise<string[]> {
  const accounts = path.join(root, 'accounts');
  const dirs = ['renewal', 'state', 'locks', 'live', 'fences'].map((d) => path.join(root, d));
  for (const a of await readdirOrEmpty(accounts)) dirs.push(path.join(accounts, a));
  const doomed: string[] = [];
  for (const dir of dirs) {
    for (const f of await readdirOrEmpty(dir)) {
      const file = path.join(dir, f);
      const temp = /\.([^.]+)\.tmp$/.exec(f);
      if (temp && isTempSuffix(`${temp[1]}.tmp`) && await isDeadTemp(file, opts.tempAgeMs, signal)) doomed.push(file);
      else if (path.basename(dir) === 'live' && /^\..+\.[0-9a-f]{8}$/.test(f) && await olderThan(file, opts.tempAgeMs)) doomed.push(file);
      else if (path.basename(dir) === 'locks' && await isOrphanRight(dir, f)) doomed.push(file);
      else if (path.basename(dir) === 'locks' && /\.lock\.stale\.[0-9a-f]{8}$/.test(f) && await olderThan(file, opts.tempAgeMs)) doomed.push(file); // older certfleet's takeover
    }
  }
  await removeAll(doomed);
  return doomed;
}

/** `<lock>.<T>.reap`: the right to remove generation T; an orphan once the lock is no longer T. */
async function isOrphanRight(dir: string, entry: string): Promise<boolean> {
  const m = /^(.+\.lock)\.([0-9a-z]+)\.reap$/.exec(entry);
  if (!m) return false;
  return (await readOwner(path.join(dir, m[1]!)))?.generation !== m[2];
}

function isTempSuffix(rest: string): boolean {
  return /^(?:[0-9a-f]{6}-\d+-\d+-[0-9a-f]{12}|[0-9a-f]{12})\.tmp$/.test(rest);
}

/** A temp file whose writer is certainly dead, or older than any write takes (legacy names, other hosts). */
async function isDeadTemp(file: string, ageMs: number, signal: AbortSignal): Promise<boolean> {
  const m = /\.[0-9a-f]{6}-(\d+-\d+-[0-9a-f]{12})\.tmp$/.exec(file);
  const writer = m ? parseIdentity(m[1]!) : undefined;
  if (writer && await processState(writer, signal) === 'dead') return true;
  return olderThan(file, ageMs);
}

async function olderThan(file: string, ageMs: number): Promise<boolean> {
  const st = await fs.lstat(file).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > ageMs;
}

function metaVersion(metaPath: string): number {
  try {
    return (JSON.parse(readFileSync(metaPath, 'utf8')) as { version?: number }).version ?? 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new CertfleetError('STORE_IO', `cannot read ${metaPath}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Removes `files` (each absent already is fine), as STORE_IO naming the one that failed. */
export async function removeAll(files: string[]): Promise<void> {
  await Promise.all(files.map((f) => io('remove', f, () => fs.rm(f, { recursive: true, force: true }))));
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** readdirOrEmpty of one certificate's own directory (a few entries per version): synchronous, like its other small reads. */
function ownEntries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CertfleetError('STORE_IO', `cannot list ${dir}: ${errorMessage(err)}`, { cause: err });
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CertfleetError('STORE_IO', `cannot list ${dir}: ${errorMessage(err)}`, { cause: err });
  }
}

async function io<T>(what: string, file: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw new CertfleetError('STORE_IO', `cannot ${what} ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
