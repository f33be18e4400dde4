import { promises as fs } from 'node:fs';

/** fsync of a directory: its entries (new names, renames) survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
