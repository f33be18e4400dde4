import { mkdtemp, readFile, readlink, stat, lstat, readdir, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.js';

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-store-')); });
afterEach(async () => { await import('node:fs/promises').then((f) => f.rm(root, { recursive: true, force: true })); });

const meta = { name: 'web', domains: ['example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '1', account: 'a', orderUrl: 'o', issuedAt: '' };
const pem = (tag: string) => ({ cert: `cert-${tag}`, chain: `chain-${tag}`, fullchain: `full-${tag}`, privkey: `key-${tag}` });

describe('FileStore', () => {
  it('writes certbot layout with relative links, 0600 keys and 0700 dirs', async () => {
    const store = new FileStore({ root });
    const paths = await store.save({ meta, pem: pem('1') });
    expect(await readFile(paths.fullchain, 'utf8')).toBe('full-1');
    expect(await readFile(paths.privkey, 'utf8')).toBe('key-1');
    const link = await readlink(paths.privkey);
    expect(path.isAbsolute(link)).toBe(false);
    expect(path.resolve(path.dirname(path.join(root, 'live/.versions/web/1/privkey.pem')), link)).toBe(path.join(root, 'archive/web/privkey1.pem'));
    expect((await stat(path.join(root, 'archive/web/privkey1.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'archive/web'))).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(root, 'live/web'))).isSymbolicLink()).toBe(true);
  });

  it('switches every file to the new version at once and keeps metadata', async () => {
    const store = new FileStore({ root });
    await store.save({ meta, pem: pem('1') });
    const paths = await store.save({ meta: { ...meta, serial: '2' }, pem: pem('2') });
    for (const [f, v] of [['cert', 'cert-2'], ['chain', 'chain-2'], ['fullchain', 'full-2'], ['privkey', 'key-2']] as const) {
      expect(await readFile(paths[f], 'utf8')).toBe(v);
    }
    expect((await store.readMeta('web'))?.version).toBe(2);
    expect((await store.load('web'))?.pem.privkey).toBe('key-2');
    expect((await store.list()).map((m) => m.name)).toEqual(['web']);
  });

  it('leaves the previous certificate untouched and no new archive file when saving fails', async () => {
    const store = new FileStore({ root });
    await store.save({ meta, pem: pem('1') });
    // A file where version 2's link directory must go: works even as root, where modes do not stop writes.
    await writeFile(path.join(root, 'live/.versions/web/2'), 'in the way');
    await expect(store.save({ meta, pem: pem('2') })).rejects.toMatchObject({ code: 'STORE_IO' });
    expect(await readFile(store.paths('web').privkey, 'utf8')).toBe('key-1');
    expect((await readdir(path.join(root, 'archive/web'))).sort()).toEqual(['cert1.pem', 'chain1.pem', 'fullchain1.pem', 'privkey1.pem']);
    expect((await store.readMeta('web'))?.version).toBe(1);
  });

  it('lets one holder at a time take a lock and takes over a stale one', async () => {
    const store = new FileStore({ root, staleLockMs: 5_000 });
    const first = await store.lock('web', AbortSignal.timeout(1000));
    await expect(store.lock('web', AbortSignal.timeout(100))).rejects.toThrow();
    await first[Symbol.asyncDispose]();
    const second = await store.lock('web', AbortSignal.timeout(1000));
    await second[Symbol.asyncDispose]();

    // A lock left by a dead process: old mtime.
    await writeFile(path.join(root, 'locks/web.lock'), 'dead 1 x');
    const old = new Date(Date.now() - 60_000);
    await utimes(path.join(root, 'locks/web.lock'), old, old);
    const third = await store.lock('web', AbortSignal.timeout(1000));
    await third[Symbol.asyncDispose]();
  });
});
