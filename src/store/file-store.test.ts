import { spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failNthWrite } from '../../test/chaos/support/fs-fault.js';
import { findDebris } from '../../test/chaos/support/store-debris-finder.js';
import { FileStore } from './file-store.js';
import { acquireLock, ownerText, readOwner, removeGeneration } from './lock-file.js';
import { currentProcess, formatIdentity, type ProcessIdentity } from './process-identity.js';

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-store-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

const meta = { name: 'web', domains: ['example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '1', account: 'a', orderUrl: 'o', issuedAt: '' };
const pem = (tag: string) => ({ cert: `cert-${tag}`, chain: `chain-${tag}`, fullchain: `full-${tag}`, privkey: `key-${tag}` });
const liveKey = (store: FileStore) => readFile(store.paths('web').privkey, 'utf8');
const S = () => AbortSignal.timeout(10_000);

/** A save under its own lease, as the pipeline does it; the live paths. */
async function saveLocked(store: FileStore, cert: { meta: typeof meta; pem: ReturnType<typeof pem> }) {
  await using lease = await store.lock(cert.meta.name, S());
  await store.save(cert, lease, S());
  return store.paths(cert.meta.name);
}

/** A PID that has just exited: its owner is certainly dead. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid;
}

async function forgeLock(file: string, id: ProcessIdentity, ageMs = 0): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const generation = 'aaaaaaaaaaaa';
  await symlink(ownerText(generation, id), file);
  if (ageMs) {
    const at = new Date(Date.now() - ageMs);
    const { lutimes } = await import('node:fs/promises');
    await lutimes(file, at, at);
  }
  return generation;
}

describe('FileStore', () => {
  it('preflight: a live/<name> that is not certfleet\'s link is refused before anything is ordered', async () => {
    const store = new FileStore({ root });
    await expect(store.preflight('web', AbortSignal.timeout(5000))).resolves.toBeUndefined();
    await mkdir(path.join(root, 'live', 'web'), { recursive: true }); // a certbot lineage, say
    await expect(store.preflight('web', AbortSignal.timeout(5000))).rejects.toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/live\/web is a directory, not certfleet's link.*nothing was ordered/) });
  });

  it('writes certbot layout with relative links, 0600 keys and 0700 dirs', async () => {
    const store = new FileStore({ root });
    const paths = await saveLocked(store, { meta, pem: pem('1') });
    expect(await readFile(paths.fullchain, 'utf8')).toBe('full-1');
    expect(await readFile(paths.privkey, 'utf8')).toBe('key-1');
    const link = await readlink(paths.privkey);
    expect(path.isAbsolute(link)).toBe(false);
    expect(path.resolve(path.dirname(path.join(root, 'live/.versions/web/1/privkey.pem')), link)).toBe(path.join(root, 'archive/web/privkey1.pem'));
    expect((await stat(path.join(root, 'archive/web/privkey1.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'archive/web'))).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(root, 'live/web'))).isSymbolicLink()).toBe(true);
    expect(await findDebris(root)).toEqual([]);
  });

  it('switches every file to the new version at once and keeps metadata', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    const paths = await saveLocked(store, { meta: { ...meta, serial: '2' }, pem: pem('2') });
    for (const [f, v] of [['cert', 'cert-2'], ['chain', 'chain-2'], ['fullchain', 'full-2'], ['privkey', 'key-2']] as const) {
      expect(await readFile(paths[f], 'utf8')).toBe(v);
    }
    expect((await store.readMeta('web', S()))?.version).toBe(2);
    expect((await store.load('web', S()))?.pem.privkey).toBe('key-2');
    expect((await store.list(S())).map((m) => m.name)).toEqual(['web']);
  });

  it('leaves the previous certificate untouched and nothing of the new version when saving fails', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    // A directory where certfleet's link must be: works even as root, where modes do not stop writes.
    await rm(path.join(root, 'live/web'));
    await mkdir(path.join(root, 'live/web'));
    await expect(saveLocked(store, { meta, pem: pem('2') })).rejects.toMatchObject({ code: 'STORE_IO' });
    expect((await readdir(path.join(root, 'archive/web'))).sort()).toEqual(['cert1.pem', 'chain1.pem', 'fullchain1.pem', 'privkey1.pem']);
    expect(await readdir(path.join(root, 'live/.versions/web'))).toEqual(['1']);
    expect((await readdir(path.join(root, 'live'))).sort()).toEqual(['.versions', 'web']);
    expect(await readdir(path.join(root, 'renewal'))).toEqual(['web.json']);
    expect((await store.readMeta('web', S()))?.version).toBe(1);
  });

  it('a disk that fills at any write of a save never blocks a later save and leaves nothing of the failed version', async () => {
    let points = 0;
    for (let n = 1; ; n++) {
      await rm(root, { recursive: true, force: true });
      await mkdir(root);
      const store = new FileStore({ root });
      await saveLocked(store, { meta, pem: pem('1') });
      const fault = await failNthWrite(root, n);
      const outcome = await saveLocked(store, { meta, pem: pem('2') }).then(() => undefined, (err: unknown) => err as Error & { code: string });
      fault.restore();
      if (!fault.hit()) {
        expect(outcome).toBeUndefined();
        break;
      }
      points++;
      if (outcome === undefined) {
        // Only the lock's release may fail without failing the save, and it must still release.
        expect(fault.calls().at(-1)!.path).toContain(`${root}/locks/`);
        expect(await liveKey(store)).toBe('key-2');
        expect(await findDebris(root), `write ${n}`).toEqual([]);
        continue;
      }
      expect(outcome, `write ${n}: ${fault.calls().at(-1)!.op} ${fault.calls().at(-1)!.path}`).toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/ENOSPC/) });
      // Before the switch: version 1 stays live and nothing of version 2 remains.
      // After it (only the metadata rename and fsyncs are left): version 2 is live and its metadata readable.
      const committed = /is live/.test(outcome.message);
      expect(await liveKey(store)).toBe(committed ? 'key-2' : 'key-1');
      expect((await store.readMeta('web', S()))?.version).toBe(committed ? 2 : 1);
      if (!committed) expect(await findDebris(root), `write ${n}`).toEqual([]);
      // Space is back: the next save works, and leaves no debris.
      await saveLocked(store, { meta, pem: pem('3') });
      expect(await liveKey(store)).toBe('key-3');
      expect((await store.readMeta('web', S()))?.version).toBe(committed ? 3 : 2);
      expect(await findDebris(root), `after write ${n}`).toEqual([]);
    }
    expect(points).toBeGreaterThan(20); // every write of a save was a fault point
  });

  it('names the file when a write fails (Node says only "ENOSPC ... write")', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    // The 6th operation is the first archive write (lock dir, lock, 3 mkdirs, then 4 opens and writes).
    let err: Error | undefined;
    for (let n = 1; !err?.message.includes('pem: ENOSPC'); n++) {
      const fault = await failNthWrite(root, n);
      err = await saveLocked(store, { meta, pem: pem('2') }).then(() => undefined, (e: unknown) => e as Error);
      fault.restore();
    }
    expect(err.message).toMatch(new RegExp(`cannot (create|write) ${root}/archive/web/\\w+2\\.pem: ENOSPC`));
  });

  it('saves past the leftovers of the old failure (an empty chain<N>.pem without cert<N>.pem)', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    await writeFile(path.join(root, 'archive/web/chain2.pem'), '');
    await mkdir(path.join(root, 'live/.versions/web/3'));
    await writeFile(path.join(root, 'archive/web/privkey4.pem'), '');
    await saveLocked(store, { meta, pem: pem('2') });
    expect(await liveKey(store)).toBe('key-2');
    expect(await findDebris(root)).toEqual([]);
  });

  it('cleans what a killed save of its own left, under its lock, before a save: without reading live/, renewal/ or state/', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    // What a save of version 2 killed just before its switch leaves (the names it writes).
    await writeFile(path.join(root, 'archive/web/cert2.pem'), 'half');
    await mkdir(path.join(root, 'live/.versions/web/2'));
    await symlink('.versions/web/2', path.join(root, 'live/.web.00000002'));
    await writeFile(path.join(root, 'renewal/web.json.v2.pending'), '{}');
    // Not a save's names: the start sweep's (below).
    await symlink('.versions/web/2', path.join(root, 'live/.web.0badc0de'));
    const { promises } = await import('node:fs');
    const original = promises.readdir;
    const read: string[] = [];
    promises.readdir = ((dir: string, ...rest: never[]) => { read.push(path.relative(root, String(dir))); return (original as (...a: unknown[]) => unknown)(dir, ...rest); }) as typeof original;
    try {
      await saveLocked(store, { meta, pem: pem('2') });
    } finally {
      promises.readdir = original;
    }
    expect(read.filter((d) => ['live', 'renewal', 'state', 'locks', 'fences'].includes(d))).toEqual([]);
    expect(await liveKey(store)).toBe('key-2');
    expect(await findDebris(root)).toEqual(['live/.web.0badc0de']);
  });

  it('the start sweep cleans the certificates a save marked and did not finish, and no other (O(suspects))', async () => {
    await saveLocked(new FileStore({ root }), { meta, pem: pem('1') });
    await saveLocked(new FileStore({ root }), { meta: { ...meta, name: 'api' }, pem: pem('a') });
    // A save of web killed while it wrote its archive files: the index row is marked before anything is written.
    const killed = new FileStore({ root });
    await using lease = await killed.lock('web', S());
    const fault = await failNthWrite(root, 5);
    await expect(killed.save({ meta, pem: pem('2') }, lease, S())).rejects.toThrow();
    fault.restore();
    await lease.release();
    const dead = formatIdentity({ ...currentProcess(), pid: deadPid() });
    await writeFile(path.join(root, 'archive/web/chain2.pem'), 'half'); // what a kill (not a failure) leaves
    await symlink('.versions/web/2', path.join(root, 'live/.web.0badc0de')); // an older certfleet's link name
    await mkdir(path.join(root, 'state'), { recursive: true });
    await writeFile(path.join(root, `state/web.json.abcdef-${dead}.tmp`), '');
    // api was not marked: debris put there by hand is not looked for (only a new index makes the sweep read every certificate).
    await writeFile(path.join(root, 'archive/api/cert2.pem'), '');
    const fresh = new FileStore({ root, tempAgeMs: 60 * 60_000 });
    expect((await fresh.readMeta('web', S()))?.serial).toBe('1');
    await fresh.sweep(S());
    expect(await findDebris(root)).toEqual(['archive/api/cert2.pem']);
    // The row is served from the index again, and a later sweep has nothing to lock.
    expect((await fresh.readMeta('web', S()))?.version).toBe(1);
    await fresh.sweep(S());
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
  });

  it('completes a save that switched live/ but died before its metadata was in place', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    await saveLocked(store, { meta: { ...meta, serial: '2' }, pem: pem('2') });
    // What such a crash leaves: live/ at 2, renewal/web.json still at 1, version 2's metadata pending.
    const v2 = await readFile(path.join(root, 'renewal/web.json'), 'utf8');
    await writeFile(path.join(root, 'renewal/web.json.v2.pending'), v2);
    await writeFile(path.join(root, 'renewal/web.json'), JSON.stringify({ ...meta, version: 1 }));
    expect((await store.readMeta('web', S()))?.serial).toBe('2');
    await saveLocked(store, { meta: { ...meta, serial: '3' }, pem: pem('3') });
    expect((await store.readMeta('web', S()))?.version).toBe(3);
    expect(await findDebris(root)).toEqual([]);
  });

  it('sweeps store-wide temp files of dead writers and old ones, and the debris of unlocked certificates', async () => {
    const store = new FileStore({ root, tempAgeMs: 60_000 });
    await saveLocked(store, { meta, pem: pem('1') });
    await saveLocked(store, { meta: { ...meta, name: 'api' }, pem: pem('a') });
    await mkdir(path.join(root, 'accounts/ca'), { recursive: true });
    await mkdir(path.join(root, 'state'), { recursive: true });
    const dead = formatIdentity({ ...currentProcess(), pid: deadPid() });
    const alive = formatIdentity(currentProcess());
    const old = new Date(Date.now() - 120_000);
    await writeFile(path.join(root, `accounts/ca/account.json.abcdef-${dead}.tmp`), '');
    await writeFile(path.join(root, 'accounts/ca/private_key.pem.0123456789ab.tmp'), ''); // legacy name, old
    await utimes(path.join(root, 'accounts/ca/private_key.pem.0123456789ab.tmp'), old, old);
    await writeFile(path.join(root, `state/web.json.abcdef-${alive}.tmp`), ''); // in flight: kept
    await mkdir(path.join(root, 'locks'), { recursive: true });
    await writeFile(path.join(root, 'locks/web.lock.stale.0badc0de'), ''); // an older certfleet's takeover, killed
    await utimes(path.join(root, 'locks/web.lock.stale.0badc0de'), old, old);
    await symlink(ownerText('bbbbbbbbbbbb', currentProcess()), path.join(root, 'locks/web.lock.cccccccccccc.reap')); // its generation is gone
    await writeFile(path.join(root, 'archive/web/cert2.pem'), '');
    await writeFile(path.join(root, 'archive/api/cert2.pem'), '');
    // api is locked by a live process: its archive is not touched.
    await forgeLock(path.join(root, 'locks/api.lock'), currentProcess());
    // Dead processes' locks of names nothing is stored under: a first issuance and a TXT name.
    await forgeLock(path.join(root, 'locks/fresh.lock'), { ...currentProcess(), pid: deadPid() });
    await forgeLock(path.join(root, 'locks/_txt._acme-challenge.fresh.example.test.lock'), { ...currentProcess(), pid: deadPid() });
    // …and one whose remover died too, holding the right to remove it (a kill inside a takeover).
    await forgeLock(path.join(root, 'locks/fresh2.lock'), { ...currentProcess(), pid: deadPid() });
    await forgeLock(path.join(root, 'locks/fresh2.lock.aaaaaaaaaaaa.reap'), { ...currentProcess(), pid: deadPid() });
    await store.sweep(AbortSignal.timeout(5000));
    expect(await findDebris(root)).toEqual(['archive/api/cert2.pem', 'locks/api.lock', `state/web.json.abcdef-${alive}.tmp`]);
  });
});

describe('FileStore locks', () => {
  const lockFile = () => path.join(root, 'locks/web.lock');

  it('lets one holder at a time take a lock', async () => {
    const store = new FileStore({ root });
    const first = await store.lock('web', AbortSignal.timeout(1000));
    await expect(store.lock('web', AbortSignal.timeout(100))).rejects.toThrow();
    await first[Symbol.asyncDispose]();
    const second = await store.lock('web', AbortSignal.timeout(1000));
    await second[Symbol.asyncDispose]();
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
  });

  it('takes over at once the lock of a dead process, long before its heartbeat is stale', async () => {
    const store = new FileStore({ root, staleLockMs: 60_000 });
    await forgeLock(lockFile(), { ...currentProcess(), pid: deadPid() });
    const lease = await store.lock('web', AbortSignal.timeout(2000));
    expect((await readOwner(lockFile()))?.id).toEqual(currentProcess());
    await lease[Symbol.asyncDispose]();
  });

  it('takes over a lock naming a live PID with another start time (PID reused)', async () => {
    const store = new FileStore({ root, staleLockMs: 60_000 });
    await forgeLock(lockFile(), { ...currentProcess(), start: currentProcess().start + 1 });
    await (await store.lock('web', AbortSignal.timeout(2000)))[Symbol.asyncDispose]();
  });

  it('waits for a live owner, and for one on another host until its heartbeat is stale', async () => {
    const store = new FileStore({ root, staleLockMs: 5_000 });
    await forgeLock(lockFile(), currentProcess());
    await expect(store.lock('web', AbortSignal.timeout(200))).rejects.toThrow();
    await rm(lockFile());
    const elsewhere = { pid: 1, start: 1, host: '0123456789ab' };
    await forgeLock(lockFile(), elsewhere);
    await expect(store.lock('web', AbortSignal.timeout(200))).rejects.toThrow();
    await rm(lockFile());
    await forgeLock(lockFile(), elsewhere, 10_000);
    await (await store.lock('web', AbortSignal.timeout(2000)))[Symbol.asyncDispose]();
  });

  it('takes over a stale lock file of an older certfleet (a regular file with an old mtime)', async () => {
    const store = new FileStore({ root, staleLockMs: 5_000 });
    await mkdir(path.join(root, 'locks'));
    await writeFile(lockFile(), 'dead 1 x');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile(), old, old);
    await (await store.lock('web', AbortSignal.timeout(2000)))[Symbol.asyncDispose]();
  });

  it('never lets a late taker remove the fresh lock another one took over (ABA)', async () => {
    const stale = await forgeLock(lockFile(), { ...currentProcess(), pid: deadPid() });
    // A takes the stale lock over; B judged the same stale lock before and removes it only now.
    const a = (await acquireLock(lockFile(), { staleMs: 60_000, heartbeatMs: 10_000 }, AbortSignal.timeout(2000)))!;
    const fresh = (await readOwner(lockFile()))!.generation;
    expect(fresh).not.toBe(stale);
    await removeGeneration(lockFile(), stale, 60_000, AbortSignal.timeout(2000));
    expect((await readOwner(lockFile()))?.generation).toBe(fresh);
    await a[Symbol.asyncDispose]();
  });

  it('gives a stale lock met by many contenders at once to exactly one at a time', async () => {
    const rounds = 10;
    let holders = 0;
    let most = 0;
    for (let r = 0; r < rounds; r++) {
      await rm(lockFile(), { force: true });
      await forgeLock(lockFile(), { ...currentProcess(), pid: deadPid() });
      const stores = Array.from({ length: 6 }, () => new FileStore({ root }));
      await Promise.all(stores.map(async (s) => {
        await using _lease = await s.lock('web', AbortSignal.timeout(10_000));
        most = Math.max(most, ++holders);
        await new Promise((resolve) => setImmediate(resolve));
        holders--;
      }));
    }
    expect(most).toBe(1);
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
  });

  it('fires the lease signal when the heartbeat finds the lock taken', async () => {
    const store = new FileStore({ root, heartbeatMs: 20 });
    const lease = await store.lock('web', AbortSignal.timeout(1000));
    await rm(lockFile());
    await forgeLock(lockFile(), currentProcess());
    await new Promise((resolve) => lease.signal.addEventListener('abort', resolve));
    expect(lease.signal.reason).toMatchObject({ code: 'STORE_LOCKED' });
    await lease[Symbol.asyncDispose]();
    expect((await readOwner(lockFile()))?.generation).toBe('aaaaaaaaaaaa'); // the other owner's lock stays
  });

  it('reports a lock that cannot be written as STORE_IO with its path', async () => {
    const store = new FileStore({ root });
    await mkdir(path.join(root, 'locks'));
    const fault = await failNthWrite(root, 1); // the lock itself (locks/ exists: no mkdir first)
    const err = await store.lock('web', AbortSignal.timeout(1000)).then(() => undefined, (e: unknown) => e);
    fault.restore();
    expect(err).toMatchObject({ code: 'STORE_IO', message: expect.stringContaining(`${lockFile()}: ENOSPC`) });
  });

  it('gives a TXT name\'s lock no fence: nothing is written under it, so its grant writes no token', async () => {
    const store = new FileStore({ root });
    const txt = await store.lockTxtName('_acme-challenge.example.test', AbortSignal.timeout(1000));
    expect(txt.token).toBe(0n);
    await txt.release();
    expect(await readdir(path.join(root, 'fences')).catch(() => [])).toEqual([]);
    // A certificate's lock still is fenced.
    const cert = await store.lock('example.test', AbortSignal.timeout(1000));
    expect(cert.token).toBe(1n);
    await cert.release();
    expect(await readdir(path.join(root, 'fences'))).toEqual(['example.test']);
  });

  it('keeps lockTxtName apart from certificate locks', async () => {
    const store = new FileStore({ root });
    const cert = await store.lock('example.test', AbortSignal.timeout(1000));
    const txt = await store.lockTxtName('Example.Test.', AbortSignal.timeout(1000));
    await expect(store.lockTxtName('example.test', AbortSignal.timeout(100))).rejects.toThrow();
    await txt[Symbol.asyncDispose]();
    await cert[Symbol.asyncDispose]();
  });
});

describe('FileStore fencing and state', () => {
  const signal = () => AbortSignal.timeout(10_000);

  it('a lock taken over while a save writes makes that save write nothing: the check just before the live/ switch', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    const stalled = await store.lock('web', signal());
    const lockFile = path.join(root, 'locks/web.lock');
    let taker: Awaited<ReturnType<FileStore['lock']>> | undefined;
    // When the save syncs its last directory before the temp link (everything else written), the lock changes hands.
    const nodeFs = (await import('node:fs')).default;
    const { openSync, fsync } = nodeFs;
    let versionsFd: number | undefined;
    nodeFs.openSync = ((file: string, flags: string, mode?: number) => {
      const fd = openSync(file, flags, mode);
      if (file.endsWith('/live/.versions/web')) versionsFd = fd;
      return fd;
    }) as typeof openSync;
    nodeFs.fsync = ((fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
      if (fd !== versionsFd || taker) return fsync(fd, done);
      void (async () => {
        const owner = (await readOwner(lockFile))!;
        await rm(lockFile);
        await symlink(ownerText(owner.generation, { ...currentProcess(), pid: deadPid() }), lockFile);
        taker = await new FileStore({ root }).lock('web', signal());
      })().then(() => fsync(fd, done), done);
    }) as typeof fsync;
    let err;
    try {
      err = await store.save({ meta, pem: pem('2') }, stalled, signal()).then(() => undefined, (e: unknown) => e);
    } finally {
      Object.assign(nodeFs, { openSync, fsync });
    }
    expect(err).toMatchObject({ code: 'STORE_FENCED', message: expect.stringMatching(/stale \(token 2; the lock was granted again since, token 3\)/) });
    expect(await liveKey(store)).toBe('key-1');
    await taker!.release();
    await stalled.release();
    expect(await findDebris(root)).toEqual([]);
  });

  it('the sweep\'s grant of a lock fences the holder it took the lock from', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    const lease = await store.lock('web', signal());
    const lockFile = path.join(root, 'locks/web.lock');
    const owner = (await readOwner(lockFile))!;
    await rm(lockFile);
    await symlink(ownerText(owner.generation, { ...currentProcess(), pid: deadPid() }), lockFile);
    await store.sweep(signal());
    await expect(store.save({ meta, pem: pem('2') }, lease, signal())).rejects.toMatchObject({ code: 'STORE_FENCED' });
    await lease.release();
  });

  it('a sweep of a clean store takes no certificate lock (no fencing-token write per certificate)', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    await saveLocked(store, { meta: { ...meta, name: 'api' }, pem: pem('a') });
    const before = await Promise.all(['web', 'api'].map((n) => readFile(path.join(root, 'fences', n), 'utf8')));
    await store.sweep(signal());
    expect(await Promise.all(['web', 'api'].map((n) => readFile(path.join(root, 'fences', n), 'utf8')))).toEqual(before);
  });

  it('tokens survive the process: a new FileStore on the same root continues the count', async () => {
    const first = await new FileStore({ root }).lock('web', signal());
    await first.release();
    const next = await new FileStore({ root }).lock('web', signal());
    expect(next.token).toBe(first.token + 1n);
    await next.release();
    expect(BigInt((await readFile(path.join(root, 'fences/web'), 'utf8')).trim())).toBe(next.token);
  });

  it('a grant rewrites its fence in place (no new file per grant), and carries on from an older certfleet\'s token link', async () => {
    await mkdir(path.join(root, 'fences'), { recursive: true });
    await symlink('41', path.join(root, 'fences/web'));
    const store = new FileStore({ root });
    const first = await store.lock('web', signal());
    expect(first.token).toBe(42n);
    const ino = (await lstat(path.join(root, 'fences/web'))).ino;
    await first.release();
    const second = await store.lock('web', signal());
    expect(second.token).toBe(43n);
    expect((await lstat(path.join(root, 'fences/web'))).ino).toBe(ino);
    expect(await readdir(path.join(root, 'fences'))).toEqual(['web']);
    await second.release();
  });

  it('a full disk at a name\'s first grant still grants it: the token goes into a symlink (no data block), a file again at the next grant', async () => {
    const store = new FileStore({ root });
    await mkdir(path.join(root, 'locks'), { recursive: true });
    await mkdir(path.join(root, 'fences'), { recursive: true });
    const fault = await failNthWrite(root, 3, 'ENOSPC'); // the lock, the fence's open, then the sync of its first token
    const first = await store.lock('web', signal());
    fault.restore();
    expect(first.token).toBe(1n);
    expect(await readlink(path.join(root, 'fences/web'))).toBe('1');
    await expect(store.writeState('web', { failures: 1 }, { lease: first }, signal())).resolves.toMatchObject({ version: 1 });
    await first.release();
    const second = await store.lock('web', signal());
    expect(second.token).toBe(2n);
    expect((await lstat(path.join(root, 'fences/web'))).isFile()).toBe(true);
    await expect(store.save({ meta, pem: pem('1') }, first, signal())).rejects.toMatchObject({ code: 'STORE_FENCED' });
    await second.release();
  });

  it('a state write under a lease takes its state lock as a link to the lease\'s lock (no file of its own), and releases it', async () => {
    const store = new FileStore({ root });
    const lease = await store.lock('web', signal());
    const lockIno = (await lstat(path.join(root, 'locks/web.lock'))).ino;
    const nodeFs = (await import('node:fs')).default;
    const original = nodeFs.renameSync;
    const seen: number[] = [];
    // While the state file is renamed into place, the state lock is held: which inode is it?
    nodeFs.renameSync = (from, to) => {
      if (String(to).endsWith('state/web.json')) seen.push(nodeFs.lstatSync(path.join(root, 'locks/_state.web.lock')).ino);
      original(from, to);
    };
    try {
      await store.writeState('web', { failures: 1 }, { lease }, signal());
    } finally {
      nodeFs.renameSync = original;
    }
    expect(seen).toEqual([lockIno]);
    expect(await readdir(path.join(root, 'locks'))).toEqual(['web.lock']);
    await lease.release();
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
  });

  it('a state lock left by a killed lease holder is taken over by a compare-and-set writer and by the next lease', async () => {
    const store = new FileStore({ root });
    await forgeLock(path.join(root, 'locks/_state.web.lock'), { ...currentProcess(), pid: deadPid() });
    await store.writeState('web', { failures: 1 }, { expectedVersion: 0 }, signal());
    await forgeLock(path.join(root, 'locks/_state.web.lock'), { ...currentProcess(), pid: deadPid() });
    await using lease = await store.lock('web', signal());
    expect((await store.writeState('web', { failures: 2 }, { lease }, signal())).version).toBe(2);
  });

  it('a compare-and-set writer holding the state lock makes a lease writer wait, and neither loses the other\'s write', async () => {
    const store = new FileStore({ root });
    const serial = await acquireLock(path.join(root, 'locks/_state.web.lock'), { staleMs: 60_000, heartbeatMs: 10_000 }, signal());
    await using lease = await store.lock('web', signal());
    let done = false;
    const write = store.writeState('web', { failures: 1 }, { lease }, signal()).then((v) => { done = true; return v; });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    await serial![Symbol.asyncDispose]();
    expect((await write).version).toBe(1);
  });

  it('a state write under a lease lost meanwhile is refused and leaves no state lock behind (the successor writes on)', async () => {
    const store = new FileStore({ root });
    const stalled = await store.lock('web', signal());
    const lockFile = path.join(root, 'locks/web.lock');
    const owner = (await readOwner(lockFile))!;
    await rm(lockFile);
    await symlink(ownerText(owner.generation, { ...currentProcess(), pid: deadPid() }), lockFile);
    await using taker = await new FileStore({ root }).lock('web', signal());
    await expect(store.writeState('web', { failures: 9 }, { lease: stalled }, signal())).rejects.toMatchObject({ code: 'STORE_FENCED' });
    expect(await readdir(path.join(root, 'locks'))).toEqual(['web.lock']);
    expect((await store.writeState('web', { failures: 1 }, { lease: taker }, signal())).version).toBe(1);
    await stalled.release();
  });

  it('reads a state file written before versions as version 1, and writes {version, state}', async () => {
    const store = new FileStore({ root });
    await mkdir(path.join(root, 'state'));
    await writeFile(path.join(root, 'state/web.json'), JSON.stringify({ failures: 2, lastError: 'x' }));
    expect(await store.readState('web', signal())).toEqual({ state: { failures: 2, lastError: 'x' }, version: 1 });
    await store.writeState('web', { failures: 3 }, { expectedVersion: 1 }, signal());
    expect(JSON.parse(await readFile(path.join(root, 'state/web.json'), 'utf8'))).toEqual({ version: 2, state: { failures: 3 } });
    expect(await findDebris(root)).toEqual([]);
  });

  it('keeps pace and the issuer certificate beside the account; an unreadable one is STORE_IO, not "absent"', async () => {
    const store = new FileStore({ root });
    expect(await store.readPace('ca-1', signal())).toBeUndefined();
    await store.writePace('ca-1', '{"pollMs":500}\n', signal());
    await store.writeIssuerCertificate('selfsigned', 'CA PEM', signal());
    expect(await store.readPace('ca-1', signal())).toBe('{"pollMs":500}\n');
    expect(await store.readIssuerCertificate('selfsigned', signal())).toBe('CA PEM');
    await rm(path.join(root, 'accounts/ca-1/pace.json'));
    await mkdir(path.join(root, 'accounts/ca-1/pace.json')); // EISDIR
    await expect(store.readPace('ca-1', signal())).rejects.toMatchObject({ code: 'STORE_IO', message: expect.stringContaining('accounts/ca-1/pace.json') });
  });
});

describe('FileStore as the local certificate directory', () => {
  const signal = () => AbortSignal.timeout(10_000);

  it('writeDerived puts the file in the live version directory with its mode, and refuses a path or a PEM name', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    const written = await store.writeDerived('web', 'cert.pfx', Buffer.from('pfx-1'), 0o600, signal());
    expect(written).toBe(path.join(root, 'live/web/cert.pfx'));
    expect(await readFile(written, 'utf8')).toBe('pfx-1');
    expect((await stat(path.join(root, 'live/.versions/web/1/cert.pfx'))).mode & 0o777).toBe(0o600);
    for (const bad of ['../x', 'a/b', 'privkey.pem', '.hidden']) {
      await expect(store.writeDerived('web', bad, Buffer.from(''), 0o600, signal())).rejects.toMatchObject({ code: 'STORE_IO' });
    }
    // The next version starts without it: a derived file belongs to the version it was made from.
    await saveLocked(store, { meta, pem: pem('2') });
    await expect(stat(path.join(root, 'live/web/cert.pfx'))).rejects.toThrow(/ENOENT/);
  });

  it('accessPaths lists every directory after its parent, and every archive file of every version', async () => {
    const store = new FileStore({ root });
    await saveLocked(store, { meta, pem: pem('1') });
    await saveLocked(store, { meta, pem: pem('2') });
    const { dirs, files } = await store.accessPaths('web', signal());
    expect(dirs[0]).toBe(root);
    for (const d of dirs.slice(1)) expect(dirs.indexOf(path.dirname(d)), d).toBeGreaterThanOrEqual(0);
    expect(dirs).toEqual(expect.arrayContaining([path.join(root, 'live/.versions/web/1'), path.join(root, 'live/.versions/web/2'), path.join(root, 'archive/web')]));
    expect(files.map((f) => path.relative(root, f)).sort()).toEqual(['cert', 'chain', 'fullchain', 'privkey'].flatMap((f) => [`archive/web/${f}1.pem`, `archive/web/${f}2.pem`]).sort());
  });

  it('write() saves a certificate live/ does not show yet, and leaves one it shows alone', async () => {
    const store = new FileStore({ root });
    const paths = await store.write({ meta: { ...meta, version: 1 }, pem: pem('1') }, signal());
    expect(await readFile(paths.privkey, 'utf8')).toBe('key-1');
    await store.write({ meta: { ...meta, version: 1 }, pem: pem('1') }, signal());
    expect((await store.readMeta('web', signal()))?.version).toBe(1);
  });
});
