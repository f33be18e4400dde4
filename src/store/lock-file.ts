import { randomBytes } from 'node:crypto';
// The small calls of a grant, a check and a release are synchronous: a thread-pool round trip
// costs about ten times the CPU of a readlink or link itself (measured: docs/benchmarks.md).
// So is the symlink that creates a lock (the page cache only: sync-directory.ts), through node:fs's
// default export, where the fault tests patch it.
import nodeFs, { linkSync, lstatSync, promises as fs, readlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { sleep, timeoutSignal } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { currentProcess, formatIdentity, parseIdentity, processState, type ProcessIdentity } from './process-identity.js';

/** A held lock. `signal` fires when the heartbeat finds the lock is no longer ours. */
export interface LockFileLease extends AsyncDisposable {
  readonly signal: AbortSignal;
  /** The lock's path, and this holding's generation (what the path names while it is held). */
  readonly file: string;
  readonly generation: string;
}

export interface LockOptions {
  /** A lock whose heartbeat is older than this is taken over (the only test for another host). */
  staleMs: number;
  heartbeatMs: number;
}

/**
 * A lock is a symlink whose target names its owner: `cfl1 <generation> <pid>-<start>-<host>`.
 * symlink(2) creates it with its content in one step (a reader never sees an empty lock, and a
 * short target needs no data block, so a full disk does not leave a half-written lock), and fails
 * with EEXIST when the lock is held: that is the acquisition. The generation (random per acquisition)
 * tells one holding of the lock from any later one at the same path.
 *
 * Takeover of a stale generation T: only a process holding the right to remove T may unlink the
 * lock, and that right is the symlink `<lock>.<T>.reap`, created exclusively; the owner's own
 * release goes through the same right. So at most one process removes generation T, and it
 * unlinks only after reading T at the path. Nobody else can unlink T meanwhile (that needs the same
 * right) and T never reappears once gone, so what it unlinks is T: the ABA case (B, late, unlinking
 * the fresh lock A created after removing T) cannot happen: B's check sees A's generation, not T.
 * After the removal every contender races on symlink(2) again and exactly one wins.
 * A remover that dies holding the right leaves `<lock>.<T>.reap`, itself an owner-naming symlink:
 * it is removed the same way (depth-limited), and orphaned rights are debris the start sweep
 * removes (sweepTemps), not each acquisition (that read the whole locks/ directory per grant).
 *
 * The owner's own right is a second name (link(2)) of its lock's symlink, not a new symlink: it
 * names the owner all the same, and a link creates no inode (an inode costs about 0.2 ms of
 * system CPU on a VM's ext4, measured: docs/benchmarks.md), so a grant and its release create one.
 */
export async function acquireLock(file: string, opts: LockOptions & { wait?: boolean }, signal: AbortSignal): Promise<LockFileLease | undefined> {
  let wait = 5;
  // Without waiting, a stale lock still gets a few rounds: the first may only clear the right of a
  // remover that died (removeGeneration), and the lock itself goes in the next.
  let staleRounds = 0;
  for (;;) {
    signal.throwIfAborted();
    const generation = newGeneration();
    // The directory is made when the first lock finds it missing, not before every acquisition.
    const created = await createOwnerLink(file, generation).catch(async (err: unknown) => {
      if (((err as CertfleetError).cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') throw err;
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch((e: unknown) => { throw ioError('create the lock directory of', file, e); });
      return createOwnerLink(file, generation);
    });
    if (created) return lease(file, generation, opts);
    const owner = await readOwner(file);
    if (!owner) continue; // released just now
    if (await isStale(owner, opts.staleMs, signal)) {
      if (await removeGeneration(file, owner.generation, opts.staleMs, signal)) continue;
      if (opts.wait === false && ++staleRounds < 4) continue;
    }
    if (opts.wait === false) return undefined;
    await sleep(wait, signal);
    wait = Math.min(wait * 2, 500);
  }
}

export interface LockOwner {
  generation: string;
  /** Absent for a lock written by certfleet before owners were symlinks (a regular file). */
  id?: ProcessIdentity;
  mtimeMs: number;
}

/** The owner of the lock at `file`, or undefined when there is none. */
export function readOwner(file: string): Promise<LockOwner | undefined> {
  return Promise.resolve().then(() => readOwnerNow(file));
}

function readOwnerNow(file: string): LockOwner | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isSymbolicLink()) return { generation: `i${st.ino}`, mtimeMs: st.mtimeMs }; // legacy lock file: age decides
    const m = /^cfl1 ([0-9a-f]{12}) (\S+)$/.exec(readlinkSync(file));
    if (!m) return { generation: `i${st.ino}`, mtimeMs: st.mtimeMs };
    const id = parseIdentity(m[2]!);
    return id ? { generation: m[1]!, id, mtimeMs: st.mtimeMs } : { generation: m[1]!, mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read the lock', file, err);
  }
}

/**
 * Only the generation of the lock at `file` (undefined: none): one readlink, where readOwner also
 * needs an lstat (its age). For the checks on every write and release.
 */
export function lockGeneration(file: string): string | undefined {
  try {
    const m = /^cfl1 ([0-9a-f]{12}) \S+$/.exec(readlinkSync(file));
    if (m) return m[1];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code !== 'EINVAL') throw ioError('read the lock', file, err);
  }
  return readOwnerNow(file)?.generation; // not a certfleet owner link: named by its inode
}

/** The symlink target naming an owner; exported for tests that forge locks of dead processes. */
export function ownerText(generation: string, id: ProcessIdentity): string {
  return `cfl1 ${generation} ${formatIdentity(id)}`;
}

/** Stale: its owner is certainly dead (same host), or its heartbeat stopped longer than `staleMs` ago. */
export async function isStale(owner: LockOwner, staleMs: number, signal: AbortSignal): Promise<boolean> {
  if (owner.id && await processState(owner.id, signal) === 'dead') return true;
  return Date.now() - owner.mtimeMs > staleMs;
}

async function createOwnerLink(file: string, generation: string): Promise<boolean> {
  await Promise.resolve();
  try {
    nodeFs.symlinkSync(ownerText(generation, currentProcess()), file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError('create the lock', file, err);
  }
}

/**
 * Removes that generation of the lock at `file` if this process wins the right to (see above).
 * False when another process holds that right (it is removing the generation, or died doing so).
 */
export async function removeGeneration(file: string, generation: string, staleMs: number, signal: AbortSignal, depth = 0): Promise<boolean> {
  const right = `${file}.${generation}.reap`;
  if (!await createOwnerLink(right, newGeneration())) {
    // If the holder of the right died, clear the right the same way; the next round retries.
    const holder = await readOwner(right);
    if (holder && depth < 3 && await isStale(holder, staleMs, signal)) await removeGeneration(right, holder.generation, staleMs, signal, depth + 1);
    return false;
  }
  try {
    if ((await readOwner(file))?.generation === generation) await fs.rm(file, { force: true });
    return true;
  } catch (err) {
    throw ioError('remove the lock', file, err);
  } finally {
    await fs.rm(right, { force: true });
  }
}

async function releaseDirectly(file: string, generation: string): Promise<void> {
  await Promise.resolve();
  if (lockGeneration(file) === generation) unlinkIfPresent(file);
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function lease(file: string, generation: string, opts: LockOptions): LockFileLease {
  const lost = new AbortController();
  let beating: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(() => {
    beating = (async () => {
      let owner;
      try {
        owner = await readOwner(file);
      } catch {
        return; // cannot tell now: the next beat looks again
      }
      if (owner?.generation !== generation) {
        clearInterval(heartbeat);
        lost.abort(new CertfleetError('STORE_LOCKED', `lost the lock ${file}: another process took it over`));
        return;
      }
      const now = new Date();
      await fs.lutimes(file, now, now).catch(() => undefined); // a missed beat is retried at the next one
    })();
  }, opts.heartbeatMs);
  heartbeat.unref();
  return {
    signal: lost.signal,
    [Symbol.asyncDispose]: async () => {
      clearInterval(heartbeat);
      await beating;
      // When the right cannot be created (no inode left), the owner unlinks its own lock directly:
      // that races only with a taker that judged this live owner stale by its heartbeat. Never
      // throws: a lock that cannot be removed at all goes stale and is taken over.
      await releaseOwn(file, generation, opts.staleMs);
    },
    file,
    generation,
  };
}

/**
 * Removes the lock at `file` if it still is `generation` (the caller's own holding), through the
 * right to remove that generation: taken as a hard link of the lock itself, or, where links fail
 * (a file system without them), as a new owner-naming symlink. Never throws: a lock that cannot be
 * removed at all goes stale and is taken over.
 */
async function releaseOwn(file: string, generation: string, staleMs: number): Promise<void> {
  const right = `${file}.${generation}.reap`;
  try {
    linkSync(file, right);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Gone (taken over and removed), or a taker holds the right and removes it: not ours to remove.
    if (code === 'ENOENT' || code === 'EEXIST') return;
    // When no right can be created either (no inode left), the owner unlinks its own lock directly:
    // that races only with a taker that judged this live owner stale by its heartbeat.
    const deadline = timeoutSignal(10_000);
    await removeGeneration(file, generation, staleMs, deadline.signal)
      .catch(() => releaseDirectly(file, generation)).catch(() => undefined);
    deadline.clear();
    return;
  }
  // The right names whoever held `file` when it was linked: if that was this generation, nobody
  // else can remove it now (that needs this right) and it cannot come back once gone.
  await releaseDirectly(file, generation).catch(() => undefined);
  try {
    unlinkIfPresent(right);
  } catch {
    // an orphaned right: the start sweep removes it
  }
}

/**
 * A lock at `file` held for as long as `holder` holds its own: `file` is a second name of the
 * holder's lock symlink (link(2): no inode), so it names the holder's owner and generation, its
 * heartbeat is the holder's, and a dead holder's is taken over like any other lock. A short
 * critical section under a lease (writeState) needs no lock of its own this way. Its `signal` is the
 * holder's. STORE_FENCED when the holder's lock is gone (lost).
 */
export async function acquireLinkedLock(file: string, holder: LockFileLease, opts: LockOptions, signal: AbortSignal): Promise<LockFileLease> {
  let wait = 2;
  for (;;) {
    signal.throwIfAborted();
    try {
      linkSync(holder.file, file);
      // What was linked is whatever held holder.file then: a successor's lock, if the holder lost
      // its own. Then this name is ours alone (nobody may remove a live owner's generation) and
      // goes again at once.
      if (lockGeneration(file) !== holder.generation) {
        unlinkIfPresent(file);
        throw new CertfleetError('STORE_FENCED', `cannot take ${file}: the lock ${holder.file} it is taken under was taken over`);
      }
      return {
        signal: holder.signal,
        file,
        generation: holder.generation,
        [Symbol.asyncDispose]: () => releaseOwn(file, holder.generation, opts.staleMs),
      };
    } catch (err) {
      if (err instanceof CertfleetError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !await fs.lstat(path.dirname(file)).then(() => true, () => false)) {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch((e: unknown) => { throw ioError('create the lock directory of', file, e); });
        continue;
      }
      if (code === 'ENOENT') throw new CertfleetError('STORE_FENCED', `cannot take ${file}: the lock ${holder.file} it is taken under is no longer held`);
      if (code !== 'EEXIST') throw ioError('create the lock', file, err);
    }
    const owner = await readOwner(file);
    if (!owner) continue; // released just now
    if (await isStale(owner, opts.staleMs, signal) && await removeGeneration(file, owner.generation, opts.staleMs, signal)) continue;
    await sleep(wait, signal);
    wait = Math.min(wait * 2, 100);
  }
}

function newGeneration(): string {
  return randomBytes(6).toString('hex');
}

function ioError(what: string, file: string, err: unknown): CertfleetError {
  return new CertfleetError('STORE_IO', `cannot ${what} ${file}: ${errorMessage(err)}`, { cause: err });
}
