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

/** Per directory: the fsync running now, and the one every caller since it started waits for. */
const syncs = new Map<string, { running: Promise<void>; next?: Promise<void> | undefined }>();

/**
 * fsync of a directory: its entries (new names, renames) made before this call survive a crash.
 * Callers of one directory share fsyncs (a group commit): one that comes while a sync of that
 * directory runs waits for the next sync, which starts when the running one ends and serves all
 * who came meanwhile. That one starts after their calls, so it covers their entries; the running
 * one may not. Several certificates saved at once share the syncs of `live/`, `renewal/` and
 * `state/` (each a journal commit on ext4, which the kernel serialises anyway).
 */
export function syncDirectory(dir: string): Promise<void> {
  const entry = syncs.get(dir);
  if (!entry) return start(dir);
  entry.next ??= entry.running.then(() => start(dir), () => start(dir));
  return entry.next;
}

function start(dir: string): Promise<void> {
  const running = syncOnce(dir).finally(() => {
    const entry = syncs.get(dir);
    if (entry?.running !== running) return;
    // A waiting sync starts right after this and puts itself in as `running`; with none waiting, nothing runs.
    if (entry.next === undefined) syncs.delete(dir);
  });
  const entry = syncs.get(dir);
  if (entry) {
    entry.running = running;
    entry.next = undefined;
  } else {
    syncs.set(dir, { running });
  }
  return running;
}

async function syncOnce(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}
