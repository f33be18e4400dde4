import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManagedDirectory } from './managed-directory.js';

const signal = new AbortController().signal;
let root: string;

beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'managed-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

describe('ManagedDirectory', () => {
  it('creates, keeps the same spec unchanged whatever its key order, replaces, deletes', async () => {
    let t = Date.parse('2026-12-01T00:00:00Z');
    const store = new ManagedDirectory({ root, now: () => t });
    expect(await store.listManaged(signal)).toEqual([]);
    expect(await store.putManaged('web', { domains: ['a.test'], dns: 'home' }, signal)).toBe('created');
    t += 1000;
    expect(await store.putManaged('web', { dns: 'home', domains: ['a.test'] }, signal)).toBe('unchanged');
    expect(await store.putManaged('web', { dns: 'home', domains: ['b.test'] }, signal)).toBe('replaced');
    const got = await store.getManaged('web', signal);
    expect(got).toEqual({ name: 'web', spec: { dns: 'home', domains: ['b.test'] }, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:01.000Z' });
    expect((await stat(path.join(root, 'managed', 'web.json'))).mode & 0o777).toBe(0o600);
    expect(await new ManagedDirectory({ root }).listManaged(signal)).toEqual([got]);
    expect(await store.deleteManaged('web', signal)).toBe(true);
    expect(await store.deleteManaged('web', signal)).toBe(false);
    expect(await store.listManaged(signal)).toEqual([]);
    expect(await readdir(path.join(root, 'managed'))).toEqual([]);
  });

  it('reports a corrupt file and lists the others', async () => {
    const corrupt: string[] = [];
    const store = new ManagedDirectory({ root, onCorrupt: (file, problem) => corrupt.push(`${path.basename(file)}: ${problem}`) });
    await store.putManaged('good', { domains: ['a.test'], dns: 'home' }, signal);
    await writeFile(path.join(root, 'managed', 'bad.json'), '{"name": "bad", "spe');
    await writeFile(path.join(root, 'managed', 'other.json'), JSON.stringify({ name: 'good', spec: {}, createdAt: 'x', updatedAt: 'x' }));
    expect((await store.listManaged(signal)).map((m) => m.name)).toEqual(['good']);
    expect(corrupt).toHaveLength(2);
    expect(corrupt[0]).toMatch(/^bad\.json: /);
    expect(corrupt[1]).toMatch(/^other\.json: .*file's name/);
  });

  it('refuses a name that could leave its directory', async () => {
    const store = new ManagedDirectory({ root });
    await expect(store.putManaged('../x', {}, signal)).rejects.toMatchObject({ code: 'STORE_IO' });
    expect(await store.getManaged('../x', signal)).toBeUndefined();
  });

  it('runs concurrent writes of one name one after another', async () => {
    const store = new ManagedDirectory({ root });
    const results = await Promise.all([1, 2, 3].map(() => store.putManaged('web', { domains: ['a.test'], dns: 'home' }, signal)));
    expect(results.sort()).toEqual(['created', 'unchanged', 'unchanged']);
  });
});
