import { mkdtemp, rename, rm, symlink, unlink, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigWatcher, digestOf, type ConfigChange } from './config-watcher.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

async function setup(initial: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-watch-'));
  const file = path.join(dir, 'certfleet.yaml');
  await writeFile(file, initial);
  const changes: ConfigChange[] = [];
  let wake: (() => void) | undefined;
  const w = new ConfigWatcher(file, { debounceMs: 20, initialDigest: digestOf(initial), onChange: (c) => { changes.push(c); wake?.(); } });
  cleanup.push(async () => { w.stop(); await rm(dir, { recursive: true, force: true }); });
  const next = (ms = 3000) => new Promise<ConfigChange | 'none'>((resolve) => {
    const t = setTimeout(() => resolve('none'), ms);
    wake = () => { clearTimeout(t); wake = undefined; resolve(changes.at(-1)!); };
  });
  return { dir, file, w, changes, next };
}

describe('ConfigWatcher', () => {
  it('sees an edit in place, and ignores a touch that does not change the content', async () => {
    const s = await setup('a: 1\n');
    expect(await s.w.start()).toBe('watch');
    let n = s.next();
    await writeFile(s.file, 'a: 2\n');
    expect(await n).toEqual({ text: 'a: 2\n', digest: digestOf('a: 2\n') });
    n = s.next(500);
    const later = new Date(Date.now() + 5000);
    await utimes(s.file, later, later);
    expect(await n).toBe('none');
    n = s.next(500);
    await writeFile(path.join(s.dir, 'other.txt'), 'x');
    expect(await n).toBe('none');
  });

  it('sees an editor\'s rename-on-save', async () => {
    const s = await setup('a: 1\n');
    await s.w.start();
    const n = s.next();
    await writeFile(`${s.file}.swp`, 'a: 3\n');
    await rename(`${s.file}.swp`, s.file);
    expect(await n).toMatchObject({ text: 'a: 3\n' });
  });

  it('sees a Kubernetes ConfigMap symlink swap', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-cm-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await mkdir(path.join(dir, '..2026_1'));
    await writeFile(path.join(dir, '..2026_1', 'certfleet.yaml'), 'v: 1\n');
    await symlink('..2026_1', path.join(dir, '..data'));
    await symlink('..data/certfleet.yaml', path.join(dir, 'certfleet.yaml'));
    const changes: ConfigChange[] = [];
    let done!: () => void;
    const got = new Promise<void>((r) => { done = r; });
    const w = new ConfigWatcher(path.join(dir, 'certfleet.yaml'), { debounceMs: 20, initialDigest: digestOf('v: 1\n'), onChange: (c) => { changes.push(c); done(); } });
    cleanup.push(() => Promise.resolve(w.stop()));
    await w.start();
    // What the kubelet does: write a new timestamped directory, then atomically replace ..data.
    await mkdir(path.join(dir, '..2026_2'));
    await writeFile(path.join(dir, '..2026_2', 'certfleet.yaml'), 'v: 2\n');
    await symlink('..2026_2', path.join(dir, '..data_tmp'));
    await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await Promise.race([got, new Promise((r) => setTimeout(r, 3000))]);
    expect(changes).toEqual([{ text: 'v: 2\n', digest: digestOf('v: 2\n') }]);
  });

  it('reports a vanished file once, then sees it come back', async () => {
    const s = await setup('a: 1\n');
    await s.w.start();
    let n = s.next();
    await unlink(s.file);
    expect(await n).toEqual({ error: expect.stringMatching(/cannot read config .*ENOENT/) });
    n = s.next();
    await writeFile(s.file, 'a: 1\n');
    // Same content as the last good text: nothing to reload, but no error any more either.
    expect(await n).toBe('none');
    n = s.next();
    await writeFile(s.file, 'a: 4\n');
    expect(await n).toMatchObject({ text: 'a: 4\n' });
    expect(s.changes.filter((c) => 'error' in c)).toHaveLength(1);
  });

  it('reload() re-reads even without a change (SIGHUP)', async () => {
    const s = await setup('a: 1\n');
    await s.w.start();
    const n = s.next();
    await s.w.reload();
    expect(await n).toMatchObject({ text: 'a: 1\n' });
  });
});
