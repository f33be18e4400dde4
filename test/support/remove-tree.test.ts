import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTree } from './remove-tree.js';

describe('removeTree', () => {
  const saved = process.env.CERTFLEET_KEEP_TMP;
  afterEach(() => {
    if (saved === undefined) delete process.env.CERTFLEET_KEEP_TMP;
    else process.env.CERTFLEET_KEEP_TMP = saved;
  });

  async function tree(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-remove-tree-'));
    await mkdir(path.join(dir, 'a'));
    await writeFile(path.join(dir, 'a', 'f'), 'x');
    return dir;
  }

  it('removes the tree', async () => {
    delete process.env.CERTFLEET_KEEP_TMP;
    const dir = await tree();
    await removeTree(dir);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps it under CERTFLEET_KEEP_TMP=1, for the caller that removes its TMPDIR once (make bench)', async () => {
    process.env.CERTFLEET_KEEP_TMP = '1';
    const dir = await tree();
    await removeTree(dir);
    expect((await stat(path.join(dir, 'a', 'f'))).isFile()).toBe(true);
    delete process.env.CERTFLEET_KEEP_TMP;
    await removeTree(dir);
  });
});
