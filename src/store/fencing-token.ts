import { constants, promises as fs, readFileSync, readlinkSync, readSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { tempName } from './store-debris.js';
import { syncDirectory } from './sync-directory.js';

/** Decimal digits of a token on disk: fixed, so a bump overwrites the same bytes in place. */
const WIDTH = 24;
/** How much of the file is read: a token, its newline, and room to see a longer (foreign) content. */
const READ = 64;

/**
 * The fencing token of one lock: `fences/<key>` holds the decimal token of the newest grant.
 * Bumped only by the process that just acquired the lock, so the grants of one lock are
 * serialised and the token strictly increases across processes.
 *
 * Normally a regular file, zero-padded to a fixed width and overwritten in place (pwrite of the
 * same bytes, then fsync), held open by the lease: a bump creates no inode, where a symlink
 * replaced by rename created one per grant (about 0.2 ms of system CPU on a VM's ext4, measured:
 * docs/benchmarks.md). A reader racing a bump sees the old token, the new one, or a mix of their
 * digits that is neither: a stale holder is refused in each case; the write is one sector, which
 * a crash does not tear.
 *
 * A file needs a data block for its first token, and a full disk must not stop a grant (the store
 * reports a full disk before the CA is asked, under the lock): where that write fails, and for an
 * older certfleet's fence, the fence is a symlink whose target is the token, replaced by rename (no
 * data block), as before; such a fence becomes a file at the next grant that can write one.
 */
export class Fence {
  private constructor(readonly file: string, private handle: FileHandle | undefined) {}

  /** Opens (creating when missing) the fence at `file`. Call under the lock. */
  static async open(file: string): Promise<Fence> {
    try {
      return new Fence(file, await openFence(file));
    } catch (err) {
      throw err instanceof CertfleetError ? err : fenceError('open', file, err);
    }
  }

  /** The newest grant's token (0: never granted). */
  read(): bigint {
    if (!this.handle) return readLinkToken(this.file);
    const buf = Buffer.alloc(READ);
    let n: number;
    try {
      // Synchronous: one pread of a cached page, on every write's check (a thread-pool round trip costs more).
      n = readSync(this.handle.fd, buf, 0, READ, 0);
    } catch (err) {
      throw fenceError('read', this.file, err);
    }
    return parseToken(buf.subarray(0, n).toString('latin1'), this.file);
  }

  /** Under the lock: the next token, durable before it is returned. */
  async bump(): Promise<bigint> {
    const current = this.read();
    const next = current + 1n;
    if (this.handle) {
      try {
        // The write synchronously (one sector into the page cache), the fsync on the thread pool.
        writeSync(this.handle.fd, format(next), 0, 'latin1');
        await this.handle.sync();
        // A fence never bumped may be new: its name must survive a crash as well as its token (a
        // fence that vanished would count from 0 again, below tokens already granted).
        if (current === 0n) await syncDirectory(path.dirname(this.file));
        return next;
      } catch (err) {
        if (current !== 0n || (err as NodeJS.ErrnoException).code !== 'ENOSPC') throw fenceError('write', this.file, err);
        // A new, empty file on a full disk: the token goes into a symlink instead (below).
        await this.close();
        await fs.rm(this.file, { force: true });
      }
    }
    await writeLinkToken(this.file, next);
    return next;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }
}

/** Under the lock: the next token of the fence at `file`, durable before it is returned. */
export async function bumpToken(file: string): Promise<bigint> {
  const fence = await Fence.open(file);
  try {
    return await fence.bump();
  } finally {
    await fence.close();
  }
}

/** The open file, or undefined for a symlink fence that cannot become a file now (a full disk). */
async function openFence(file: string): Promise<FileHandle | undefined> {
  const flags = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_CREAT;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fs.open(file, flags, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return toFile(file, flags);
      if (code !== 'ENOENT' || attempt > 0) throw err;
      // fences/ is made when the first grant finds it missing, not before every grant.
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    }
  }
}

/** A symlink fence replaced by a file holding the same token; undefined when the disk is full (it stays a symlink). */
async function toFile(file: string, flags: number): Promise<FileHandle | undefined> {
  const token = readLinkToken(file);
  const tmp = tempName(file);
  try {
    await fs.writeFile(tmp, format(token), { mode: 0o600, flush: true });
    await fs.rename(tmp, file);
    await syncDirectory(path.dirname(file));
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return undefined;
    throw err;
  }
  return fs.open(file, flags);
}

function readLinkToken(file: string): bigint {
  let text: string;
  try {
    text = readlinkSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 0n;
    // Became a file since (a later grant): its token is the newest.
    if (code === 'EINVAL') return parseToken(readFileSync(file, 'latin1'), file);
    throw fenceError('read', file, err);
  }
  return parseToken(text, file);
}

/** The token as a symlink: made with its content in one step and, being short, with no data block. */
async function writeLinkToken(file: string, token: bigint): Promise<void> {
  const dir = path.dirname(file);
  const tmp = tempName(file);
  try {
    await fs.symlink(String(token), tmp);
    await fs.rename(tmp, file);
    await syncDirectory(dir);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw fenceError('write', file, err);
  }
}

function format(token: bigint): string {
  return `${String(token).padStart(WIDTH, '0')}\n`;
}

function parseToken(text: string, file: string): bigint {
  const trimmed = text.replace(/\n$/, '');
  if (trimmed === '') return 0n; // created, then killed before its first write: never granted
  if (!/^\d{1,30}$/.test(trimmed)) throw new CertfleetError('STORE_IO', `the fencing token ${file} is not a number (${JSON.stringify(trimmed.slice(0, 40))}): remove it only when no certfleet runs`);
  return BigInt(trimmed);
}

function fenceError(what: string, file: string, err: unknown): CertfleetError {
  return new CertfleetError('STORE_IO', `cannot ${what} the fencing token ${file}: ${errorMessage(err)}`, { cause: err });
}
