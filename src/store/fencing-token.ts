import { constants, promises as fs } from 'node:fs';
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
 * The fencing token of one lock: `fences/<key>` holds the decimal token of the newest grant,
 * zero-padded to a fixed width. Bumped only by the process that just acquired the lock, so the
 * grants of one lock are serialised and the token strictly increases across processes.
 *
 * A regular file overwritten in place (pwrite of the same bytes, then fsync), held open by the
 * lease: a bump creates no inode, where a symlink replaced by rename created one per grant (about
 * 0.2 ms of system CPU on a VM's ext4, measured: docs/benchmarks.md). A reader racing a bump sees
 * the old token, the new one, or a mix of their digits that is neither: a stale holder is refused
 * in each case. The write is one sector, which a crash does not tear. A token of an older certfleet
 * (a symlink) is carried over once, by rename, under the lock.
 */
export class Fence {
  private constructor(readonly file: string, private readonly handle: FileHandle) {}

  /** Opens (creating when missing) the fence at `file`. Call under the lock. */
  static async open(file: string): Promise<Fence> {
    try {
      return new Fence(file, await openFence(file));
    } catch (err) {
      throw err instanceof CertfleetError ? err : fenceError('open', file, err);
    }
  }

  /** The newest grant's token (0: never granted). */
  async read(): Promise<bigint> {
    const buf = Buffer.alloc(READ);
    let n: number;
    try {
      ({ bytesRead: n } = await this.handle.read(buf, 0, READ, 0));
    } catch (err) {
      throw fenceError('read', this.file, err);
    }
    return parseToken(buf.subarray(0, n).toString('latin1'), this.file);
  }

  /** Under the lock: the next token, durable before it is returned. */
  async bump(): Promise<bigint> {
    const current = await this.read();
    const next = current + 1n;
    try {
      await this.handle.write(format(next), 0, 'latin1');
      await this.handle.sync();
      // A fence never bumped may be new: its name must survive a crash as well as its token (a
      // fence that vanished would count from 0 again, below tokens already granted).
      if (current === 0n) await syncDirectory(path.dirname(this.file));
    } catch (err) {
      throw fenceError('write', this.file, err);
    }
    return next;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
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

async function openFence(file: string): Promise<FileHandle> {
  const flags = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_CREAT;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fs.open(file, flags, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return migrate(file, flags);
      if (code !== 'ENOENT' || attempt > 0) throw err;
      // fences/ is made when the first grant finds it missing, not before every grant.
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    }
  }
}

/** An older certfleet's fence (a symlink whose target is the token): replaced by a file holding the same token. */
async function migrate(file: string, flags: number): Promise<FileHandle> {
  const token = parseToken(await fs.readlink(file), file);
  const tmp = tempName(file);
  try {
    await fs.writeFile(tmp, format(token), { mode: 0o600, flush: true });
    await fs.rename(tmp, file);
    await syncDirectory(path.dirname(file));
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  return fs.open(file, flags);
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
