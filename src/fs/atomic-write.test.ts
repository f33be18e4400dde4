import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failNthWrite } from '../../test/chaos/support/fs-fault.js';
import { writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-atomic-')); });
afterEach(() => rm(dir, { recursive: true, force: true }));
const signal = () => AbortSignal.timeout(5000);

describe('writeFileAtomic', () => {
  it('replaces the file with exactly the mode asked, whatever the umask', async () => {
    const file = path.join(dir, 'out.pem');
    await writeFile(file, 'old', { mode: 0o644 });
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(file, 'new', 0o640, signal());
    } finally {
      process.umask(umask);
    }
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['out.pem']);
  });

  it('a write that fails at any step leaves the old file and no temp file', async () => {
    const file = path.join(dir, 'out.pem');
    await writeFile(file, 'old');
    let points = 0;
    for (let n = 1; ; n++) {
      const fault = await failNthWrite(dir, n);
      const err = await writeFileAtomic(file, 'new', 0o600, signal()).then(() => undefined, (e: unknown) => e);
      fault.restore();
      if (!fault.hit()) break;
      points++;
      // Only the directory's fsync comes after the rename: then the new file is in place.
      const renamed = fault.calls().slice(0, n - 1).some((c) => c.op === 'rename');
      expect(err, `step ${n}`).toBeDefined();
      expect(await readFile(file, 'utf8'), `step ${n}`).toBe(renamed ? 'new' : 'old');
      expect(await readdir(dir), `step ${n}`).toEqual(['out.pem']);
      await writeFile(file, 'old');
    }
    expect(points).toBeGreaterThanOrEqual(6); // open, write, sync, rename, then the directory's open and sync
  });

  it('refuses to start once aborted', async () => {
    await expect(writeFileAtomic(path.join(dir, 'x'), 'x', 0o600, AbortSignal.abort())).rejects.toThrow(/abort/i);
    expect(await readdir(dir)).toEqual([]);
  });
});
