import { rm } from 'node:fs/promises';

/**
 * Removes a temporary tree, unless CERTFLEET_KEEP_TMP=1 says the caller removes them all later:
 * `make bench` does, once, after its last script. The machine's ext4 has no journal, and without
 * one ext4 passes over every inode freed in the last minute (six while its inode table is
 * dirty) at each file it creates, checking them one by one: a benchmark right after another's
 * cleanup paid for it (bench-store-ops: 10.7 -> 15.6 ms of CPU per certificate just after 9,057
 * files were removed; docs/benchmarks.md, session 34).
 */
export async function removeTree(dir: string): Promise<void> {
  if (process.env.CERTFLEET_KEEP_TMP === '1') return;
  await rm(dir, { recursive: true, force: true });
}
