import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { tempName } from './store-debris.js';
import { syncDirectory } from './sync-directory.js';

/**
 * The fencing token of one lock: `fences/<key>` is a symlink whose target is the decimal token of
 * the newest grant. Bumped only by the process that just acquired the lock, so the grants of one
 * lock are serialised and the token strictly increases across processes. A symlink, like the lock
 * itself: created with its content in one step and, being short, needs no data block (a full disk
 * does not stop it). Replaced by rename, so a reader sees the old token or the new one.
 */
export async function readToken(file: string): Promise<bigint> {
  let text: string;
  try {
    text = await fs.readlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0n;
    throw new CertfleetError('STORE_IO', `cannot read the fencing token ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if (!/^\d{1,30}$/.test(text)) throw new CertfleetError('STORE_IO', `the fencing token ${file} is not a number (${JSON.stringify(text.slice(0, 40))}): remove it only when no certfleet runs`);
  return BigInt(text);
}

/** Under the lock: the next token, durable before it is returned. */
export async function bumpToken(file: string): Promise<bigint> {
  const next = (await readToken(file)) + 1n;
  const dir = path.dirname(file);
  const tmp = tempName(file);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.symlink(String(next), tmp);
    await fs.rename(tmp, file);
    await syncDirectory(dir);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new CertfleetError('STORE_IO', `cannot write the fencing token ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return next;
}
