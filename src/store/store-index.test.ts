import { mkdtemp, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, type StoreLog } from './file-store.js';
import { ownerText } from './lock-file.js';
import { currentProcess } from './process-identity.js';
import { currentBootId, StoreIndex, StoreIndexReader, WRITTEN_BEFORE_RESTART } from './store-index.js';

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-index-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

const S = () => AbortSignal.timeout(10_000);
const metaOf = (name: string, serial = '1') => ({ name, domains: [`${name}.test`], keyType: 'ecdsa-p256', notBefore: '', notAfter: '2030-01-01T00:00:00.000Z', issuer: 'ca', serial, account: 'a', orderUrl: 'o', issuedAt: '' });
const pem = { cert: 'c', chain: 'ch', fullchain: 'f', privkey: 'k' };

function recorder(): StoreLog & { lines: { msg: string; obj: object }[] } {
  const lines: { msg: string; obj: object }[] = [];
  return { lines, info: (obj, msg) => lines.push({ obj, msg }), warn: (obj, msg) => lines.push({ obj, msg }) };
}

async function seed(store: FileStore, names: string[]): Promise<void> {
  for (const name of names) {
    await using lease = await store.lock(name, S());
    await store.save({ meta: metaOf(name), pem }, lease, S());
    await store.writeState(name, { failures: names.indexOf(name) }, { lease }, S());
  }
}

/** A seeded store whose lease on web has written the state once (failures: `failures`). */
async function leasedAfterOneWrite(failures: number) {
  const store = new FileStore({ root });
  await seed(store, ['web']);
  const lease = await store.lock('web', S());
  await store.writeState('web', { failures }, { lease }, S());
  return { store, lease };
}

/** What the files say, read by a store that has no index. */
async function fromFiles() {
  const files = new FileStore({ root, index: false });
  const list = await files.list(S());
  return { list, states: await Promise.all(list.map((m) => files.readState(m.name, S()))) };
}

describe('store index', () => {
  it('answers metadata and state from index.sqlite, not the files', async () => {
    await seed(new FileStore({ root }), ['a', 'b']);
    // Changed behind the index's back (names unchanged, so the open does not look at it): the index's value shows.
    await writeFile(path.join(root, 'state', 'b.json'), JSON.stringify({ version: 9, state: {} }));
    const store = new FileStore({ root });
    expect(await store.readState('b', S())).toEqual({ state: { failures: 1 }, version: 1 });
    expect((await store.readMeta('a', S()))?.serial).toBe('1');
    expect((await stat(store.indexFile)).mode & 0o777).toBe(0o600);
  });

  for (const [damage, spoil] of [
    ['corrupt', (f: string) => writeFile(f, 'this is no SQLite file '.repeat(400))],
    ['truncated', async (f: string) => truncate(f, Math.floor((await stat(f)).size / 3))],
  ] as const) {
    it(`a ${damage} index is rebuilt from the files, logged, and nothing is lost`, async () => {
      const names = Array.from({ length: 40 }, (_, i) => `c${i}`);
      await seed(new FileStore({ root }), names);
      const before = await fromFiles();
      const file = path.join(root, 'index.sqlite');
      await spoil(file);
      const log = recorder();
      const store = new FileStore({ root, log });
      expect(await store.list(S())).toEqual(before.list);
      expect(log.lines).toEqual([{ msg: 'store_index_rebuilt', obj: expect.objectContaining({ certificates: 40, damage: expect.any(String) }) }]);
      expect(await Promise.all(before.list.map((m) => store.readState(m.name, S())))).toEqual(before.states);
      // Rebuilt, it serves again.
      await writeFile(path.join(root, 'state', 'c7.json'), JSON.stringify({ version: 9, state: {} }));
      expect((await new FileStore({ root }).readState('c7', S())).state).toEqual({ failures: 7 });
    });
  }

  it('an index written in an earlier boot (unsynced) is rebuilt from the files; one of this boot, or a synced one, is used', async () => {
    expect(currentBootId()).toMatch(/^[0-9a-f-]{36}$/);
    await seed(new FileStore({ root }), ['a', 'b']);
    const file = path.join(root, 'index.sqlite');
    await rm(file);
    // What a power loss may leave of unsynced writes: rows that disagree with the files.
    const earlier = StoreIndex.open(file, { bootId: 'earlier-boot' }).index;
    earlier.fill([{ name: 'a', gen: undefined, meta: { ...metaOf('a', '9'), version: 1 }, state: { version: 5, state: { failures: 42 } } }]);
    earlier.close();
    const log = recorder();
    const store = new FileStore({ root, log });
    expect(await store.readState('a', S())).toEqual({ state: { failures: 0 }, version: 1 });
    expect((await store.readMeta('a', S()))?.serial).toBe('1');
    expect(log.lines).toEqual([{ msg: 'store_index_rebuilt', obj: expect.objectContaining({ certificates: 2, reason: WRITTEN_BEFORE_RESTART }) }]);
    // Opened again in this boot: used as it is.
    const again = recorder();
    expect((await new FileStore({ root, log: again }).readMeta('b', S()))?.serial).toBe('1');
    expect(again.lines).toEqual([]);
    // Written with every write synced (no boot known, or an index of an older certfleet): used in any boot.
    await rm(file);
    const synced = StoreIndex.open(file, { bootId: undefined }).index;
    synced.fill(['a', 'b'].map((name) => ({ name, gen: undefined, meta: { ...metaOf(name, '7'), version: 1 }, state: { version: 1, state: { failures: 0 } } })));
    synced.close();
    expect((await new FileStore({ root }).readMeta('a', S()))?.serial).toBe('7');
  });

  it('page gives the rows after a name, at most a limit, marked rows as unknown', () => {
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    index.fill(['c', 'a', 'b', 'd'].map((name) => ({ name, gen: undefined, meta: name === 'd' ? undefined : { ...metaOf(name), version: 1 }, state: { version: 2, state: { failures: 1 } } })));
    index.markState('b');
    expect(index.page('', 2)?.rows.map((r) => r.name)).toEqual(['a', 'b']);
    expect(index.page('a', 2)).toEqual({ read: 2, last: 'c', rows: [
      { name: 'b', meta: { ...metaOf('b'), version: 1 }, state: undefined },
      { name: 'c', meta: { ...metaOf('c'), version: 1 }, state: { version: 2, state: { failures: 1 } } },
    ] });
    expect(index.page('c', 5)).toEqual({ read: 1, last: 'd', rows: [{ name: 'd', meta: null, state: { version: 2, state: { failures: 1 } } }] });
    expect(index.page('d', 5)).toEqual({ read: 0, last: 'd', rows: [] });
    index.close();
  });

  it('page leaves out the rows `only` refuses, and still counts them read (where the next page starts)', async () => {
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    index.fill(['a', 'b', 'c', 'd'].map((name) => ({ name, gen: undefined, meta: { ...metaOf(name), version: 1 }, state: undefined })));
    expect(index.page('', 3, (n) => n !== 'b')).toMatchObject({ read: 3, last: 'c', rows: [{ name: 'a' }, { name: 'c' }] });
    index.close();
    // Through the store, without its index too: the same rows.
    const wanted = (n: string) => n === 'b' || n === 'd';
    const storeRoot = path.join(root, 'store');
    await seed(new FileStore({ root: storeRoot }), ['a', 'b', 'd']);
    for (const store of [new FileStore({ root: storeRoot }), new FileStore({ root: storeRoot, index: false })]) {
      const names: string[] = [];
      for await (const page of store.schedules(S(), wanted)) names.push(...page.map((r) => r.name));
      expect(names.sort()).toEqual(['b', 'd']);
    }
  });

  it('damage found after the open (pages overwritten) sends reads to the files and removes the file, so the next open rebuilds it', async () => {
    const file = path.join(root, 'index.sqlite');
    const { index } = StoreIndex.open(file);
    index.fill(Array.from({ length: 300 }, (_, i) => ({ name: `c${i}`, gen: undefined, meta: { ...metaOf(`c${i}`), version: 1 }, state: undefined })));
    expect(index.meta('c1')?.serial).toBe('1');
    index.close();
    const bytes = await readFile(file);
    bytes.fill(0x5a, 4096, bytes.length);
    await writeFile(file, bytes);
    expect(index.meta('c150')).toBeUndefined();
    expect(index.damaged).toMatch(/malformed|not a database/);
    expect(index.page('', 10)).toBeUndefined();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a missing index is built from a store written before it existed', async () => {
    await seed(new FileStore({ root, index: false }), ['x', 'y']);
    const log = recorder();
    const store = new FileStore({ root, log });
    expect((await store.list(S())).map((m) => m.name)).toEqual(['x', 'y']);
    expect(log.lines.map((l) => l.msg)).toEqual(['store_index_built']);
  });

  it('files removed or added behind its back are seen at the next open (a state reset by hand)', async () => {
    await seed(new FileStore({ root }), ['x', 'y']);
    await rm(path.join(root, 'state', 'y.json'));
    await seed(new FileStore({ root, index: false }), ['z']);
    const log = recorder();
    const store = new FileStore({ root, log });
    expect((await store.readState('y', S())).version).toBe(0);
    expect((await store.readState('z', S())).version).toBe(1);
    expect(log.lines).toEqual([{ msg: 'store_index_refreshed', obj: expect.objectContaining({ certificates: 2 }) }]);
  });

  it('disagreeing names every row whose files and columns differ, and every file without a row', () => {
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    const state = { state: { failures: 0 }, version: 1 };
    const meta = (name: string) => ({ ...metaOf(name), version: 1 });
    index.fill([
      { name: 'both', gen: undefined, meta: meta('both'), state },
      { name: 'meta-only', gen: undefined, meta: meta('meta-only'), state: undefined },
      { name: 'state-only', gen: undefined, meta: undefined, state },
    ]);
    index.markState('new'); // a row the writer created: its meta column is unknown
    const files = (...names: string[]) => new Set(names);
    // The files agree: only the row of unknown meta.
    expect(index.disagreeing(files('both', 'meta-only'), files('both', 'state-only', 'new'))).toEqual(['new']);
    expect(index.disagreeing(
      files('meta-only', 'state-only', 'stray'), // both's meta file gone; state-only gained one; stray has no row
      files('both', 'meta-only', 'new'), // state-only's state file gone; meta-only gained one
    ).sort()).toEqual(['both', 'meta-only', 'new', 'state-only', 'stray']);
    // As many files as served names, but not the same ones: the file without a row is found too.
    expect(index.disagreeing(files('both', 'stray'), files('both', 'state-only', 'new')).sort()).toEqual(['meta-only', 'new', 'stray']);
    // A lease at work on `both` (its columns marked, its files there): nothing else to refresh,
    // and a file without a row beside it is still found.
    index.markLease('both');
    expect(index.disagreeing(files('both', 'meta-only'), files('both', 'state-only', 'new')).sort()).toEqual(['new']);
    expect(index.disagreeing(files('both', 'meta-only', 'stray'), files('both', 'state-only', 'new', 'stray2')).sort()).toEqual(['new', 'stray', 'stray2']);
    index.close();
  });

  it('a save or state write killed between its mark and its update leaves readers on the files', async () => {
    await seed(new FileStore({ root }), ['web']);
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    // A writer marked the row, changed the files, and was killed before updating the index.
    index.markMeta('web');
    index.markState('web');
    index.close();
    const meta = JSON.parse(await readFile(path.join(root, 'renewal', 'web.json'), 'utf8')) as object;
    await writeFile(path.join(root, 'renewal', 'web.json'), JSON.stringify({ ...meta, serial: '2' }));
    await writeFile(path.join(root, 'state', 'web.json'), JSON.stringify({ version: 5, state: { failures: 3 } }));
    const store = new FileStore({ root });
    expect((await store.readMeta('web', S()))?.serial).toBe('2');
    expect(await store.readState('web', S())).toEqual({ version: 5, state: { failures: 3 } });
    expect((await store.list(S()))[0]?.serial).toBe('2');
    // The next save's lease clears the mark with what it wrote, when it ends.
    const lease = await store.lock('web', S());
    await store.save({ meta: metaOf('web', '3'), pem }, lease, S());
    await lease.release();
    await writeFile(path.join(root, 'renewal', 'web.json'), JSON.stringify({ ...meta, serial: '4' }));
    expect((await store.readMeta('web', S()))?.serial).toBe('3');
  });

  it('a lease marks its row once, at its first write, and puts what the files hold once, at its release', async () => {
    const store = new FileStore({ root });
    await seed(store, ['web']);
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    const before = index.generation('web')!;
    const lease = await store.lock('web', S());
    for (let k = 1; k <= 4; k++) await store.writeState('web', { failures: k }, { lease }, S());
    await store.save({ meta: metaOf('web', '2'), pem }, lease, S());
    // While the lease writes, every reader (this process or another) is sent to the files.
    expect(await new FileStore({ root }).readState('web', S())).toMatchObject({ version: 5, state: { failures: 4 } });
    expect(index.state('web')).toBeUndefined();
    await lease.release();
    // One mark and one put for four state writes and a save (each used to mark and put: ten).
    expect(index.generation('web')! - before).toBe(2);
    expect(index.state('web')).toEqual({ version: 5, state: { failures: 4 } });
    expect(index.meta('web')).toMatchObject({ serial: '2', version: 2 });
    index.close();
  });

  it('a compare-and-set write between a lease holder\'s writes leaves the holder\'s mark on', async () => {
    const { store, lease } = await leasedAfterOneWrite(1);
    const other = new FileStore({ root });
    const { version } = await other.readState('web', S());
    await other.writeState('web', { failures: 2 }, { expectedVersion: version }, S());
    await store.writeState('web', { failures: 3 }, { lease }, S());
    // The compare-and-set writer's put did not clear the lease's mark: readers still go to the file.
    expect(await new FileStore({ root }).readState('web', S())).toEqual({ version: 4, state: { failures: 3 } });
    await lease.release();
    expect(await new FileStore({ root }).readState('web', S())).toEqual({ version: 4, state: { failures: 3 } });
  });

  it('a lease taken over puts nothing at its release: the successor\'s mark stays until its own', async () => {
    const store = new FileStore({ root, staleLockMs: 1, heartbeatMs: 60_000 });
    await seed(store, ['web']);
    const stalled = await store.lock('web', S());
    await store.writeState('web', { failures: 1 }, { lease: stalled }, S());
    await new Promise((r) => setTimeout(r, 20));
    const successor = new FileStore({ root, staleLockMs: 1, heartbeatMs: 60_000 });
    const taker = await successor.lock('web', S());
    await successor.writeState('web', { failures: 2 }, { lease: taker }, S());
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    const before = index.generation('web');
    await stalled.release();
    expect(index.generation('web')).toBe(before);
    expect(index.state('web')).toBeUndefined();
    await taker.release();
    index.close();
  });

  it('a release whose state lock stays held by another writer gives up the put and leaves the marks', async () => {
    const { lease } = await leasedAfterOneWrite(7);
    // A live compare-and-set writer (this process, another generation) holds the state lock.
    await symlink(ownerText('0123456789ab', currentProcess()), path.join(root, 'locks', '_state.web.lock'));
    await lease.release();
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    expect(index.state('web')).toBeUndefined();
    index.close();
    expect(await new FileStore({ root }).readState('web', S())).toMatchObject({ state: { failures: 7 } });
  }, 15_000);

  it('a rebuild never overwrites a row a writer changed after the rebuild read the files', () => {
    const { index } = StoreIndex.open(path.join(root, 'index.sqlite'));
    index.fill([{ name: 'a', gen: undefined, meta: { ...metaOf('a', '1'), version: 1 }, state: undefined }]);
    const seen = index.generation('a');
    index.markMeta('a');
    index.putMeta({ ...metaOf('a', '2'), version: 2 });
    index.fill([{ name: 'a', gen: seen, meta: { ...metaOf('a', '1'), version: 1 }, state: undefined }]);
    expect(index.meta('a')?.serial).toBe('2');
    // Closed (as when idle), it opens again at the next use.
    index.close();
    expect(index.meta('a')?.serial).toBe('2');
    index.close();
  });

  it('a name the index has no metadata for is read from its files (a certbot import writes the layout directly)', async () => {
    const store = new FileStore({ root });
    await seed(store, ['a']);
    const other = new FileStore({ root, index: false });
    await using lease = await other.lock('b', S());
    await other.save({ meta: metaOf('b'), pem }, lease, S());
    expect((await store.readMeta('b', S()))?.name).toBe('b');
    expect((await store.list(S())).map((m) => m.name)).toEqual(['a', 'b']);
  });
});

describe('StoreIndexReader (a reader in another thread)', () => {
  it('gives every row once over its chunks, a writer\'s mark as unknown (undefined), and nothing for a missing file', () => {
    const file = path.join(root, 'index.sqlite');
    expect(StoreIndexReader.open(file)).toBeUndefined();
    const { index } = StoreIndex.open(file);
    const names = Array.from({ length: 25 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    index.fill(names.map((name) => ({ name, gen: undefined, meta: { ...metaOf(name), version: 1 }, state: { state: { failures: 0 }, version: 1 } })));
    index.markMeta('n07');
    const reader = StoreIndexReader.open(file)!;
    const chunks = reader.chunks(4);
    expect(chunks).toBe(7);
    const rows = Array.from({ length: chunks + 1 }, (_, k) => reader.chunk(k, 4)).flat();
    expect(rows.map((r) => r.name).sort()).toEqual(names);
    expect(rows.find((r) => r.name === 'n07')?.meta).toBeUndefined();
    expect(rows.find((r) => r.name === 'n08')?.meta?.serial).toBe('1');
    expect(rows.find((r) => r.name === 'n08')?.state).toEqual({ state: { failures: 0 }, version: 1 });
    // Read-only: it writes nothing, not even where it may.
    expect(() => (reader as unknown as { db: { exec(sql: string): void } }).db.exec('DELETE FROM certs')).toThrow(/readonly/);
    reader.close();
    index.close();
  });
});
