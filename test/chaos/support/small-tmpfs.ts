import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PAGE = 4096;

/** A real small tmpfs, for real ENOSPC: filled so that exactly `pages` pages stay free. */
export interface SmallTmpfs {
  dir: string;
  /** Fills the file system, then frees exactly `pages` pages (tmpfs allocates whole pages). */
  fillLeaving(pages: number): Promise<void>;
  /** Frees the space fillLeaving took. */
  drain(): Promise<void>;
  unmount(): Promise<void>;
}

/** Mounts one, or says why it cannot (not root, no mount permission in this container). */
export async function mountSmallTmpfs(sizeKb: number): Promise<SmallTmpfs | string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    await rmdir(dir);
    return `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]})`;
  }
  const filler = path.join(dir, '.filler');
  return {
    dir,
    async fillLeaving(pages) {
      const handle = await open(filler, 'a');
      try {
        for (const chunk of [Buffer.alloc(64 * PAGE), Buffer.alloc(PAGE)]) {
          for (;;) {
            try {
              await handle.write(chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
        const size = (await stat(filler)).size;
        await handle.truncate(Math.max(0, Math.ceil(size / PAGE) * PAGE - pages * PAGE));
      } finally {
        await handle.close();
      }
    },
    async drain() {
      await rm(filler, { force: true });
    },
    async unmount() {
      await run('umount', [dir]);
      await rmdir(dir);
    },
  };
}
