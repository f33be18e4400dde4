import fs from 'node:fs';

/*
 * The store's writes make their small calls (open, write, rename, symlink, close) synchronously:
 * they touch only the page cache, and a thread-pool round trip costs three to five times the CPU
 * of such a call (measured: docs/benchmarks.md). fsync(2), which waits for the disk, stays on the
 * thread pool, so a slow disk never stalls the event loop. Calls go through node:fs's default
 * export, where the fault tests (test/chaos/support/fs-fault.ts) patch them.
 */

/** fsync(2) of an open descriptor, on the thread pool. */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fsync(fd, (err) => (err ? reject(err) : resolve()));
  });
}

/** fsync of a directory: its entries (new names, renames) survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}
