import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Replaces `file` with `data` atomically, for files certfleet writes outside its store (copy
 * targets, the acme-dns accounts file): a temp file beside it is created with exactly `mode`
 * (O_EXCL, never readable by others first), written, fsynced and renamed over `file`, then the
 * directory is fsynced. A failure removes the temp file and leaves `file` as it was. Throws the
 * system error; callers say what the file is for.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // open() applies the umask; the mode must be exact
      await handle.sync();
    } finally {
      await handle.close();
    }
    signal.throwIfAborted();
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  const dir = await fs.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
