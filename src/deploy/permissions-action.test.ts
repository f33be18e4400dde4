import { link, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDirectory } from '../../test/support/saved-certificate.js';
import type { CertificateEvent } from './deploy-action.js';
import { PermissionsAction } from './permissions-action.js';

/** Swaps the racer makes while the action runs (the review's attack took far fewer). */
const SWAPS = 2000;

let dir: string;
let store: string;
let event: CertificateEvent;
const ctx = () => ({ signal: AbortSignal.timeout(60_000) });

/** The layout the action walks (as FileStore writes it): archive files, a version directory. */
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-perms-'));
  store = path.join(dir, 'store');
  await mkdir(path.join(store, 'live', '.versions', 'web', '1'), { recursive: true, mode: 0o700 });
  await mkdir(path.join(store, 'archive', 'web'), { recursive: true, mode: 0o700 });
  for (const f of ['cert1.pem', 'chain1.pem', 'fullchain1.pem', 'privkey1.pem']) await writeFile(path.join(store, 'archive', 'web', f), 'x', { mode: 0o600 });
  event = eventIn(store);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The action learns what to change from the local directory only: a FileStore on `root`. */
function eventIn(root: string): CertificateEvent {
  const now = new Date().toISOString();
  const meta = { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: now, notAfter: now, issuer: 'x', serial: '1', account: '', orderUrl: '', issuedAt: now, version: 1 };
  return { event: 'renewed', name: 'web', domains: meta.domains, profile: 'home', certificate: { meta, pem: { cert: 'x', chain: 'x', fullchain: 'x', privkey: 'x' } }, local: localDirectory(root) };
}

/**
 * A racer on its own thread: swaps a file, a directory and a file's parent directory for
 * symlinks to targets outside the store and back, resetting the real ones' modes each time so
 * the action always has something to change.
 */
function startRacer(pairs: { inside: string; target: string; mode: number }[], swaps: number): Promise<number> {
  const code = `
    const { renameSync, symlinkSync, unlinkSync, chmodSync } = require('node:fs');
    const { workerData, parentPort } = require('node:worker_threads');
    for (let i = 0; i < workerData.swaps; i++) {
      for (const p of workerData.pairs) {
        renameSync(p.inside, p.inside + '.real');
        symlinkSync(p.target, p.inside);
      }
      for (const p of workerData.pairs) {
        unlinkSync(p.inside);
        renameSync(p.inside + '.real', p.inside);
        chmodSync(p.inside, p.mode);
      }
    }
    parentPort.postMessage(workerData.swaps);`;
  const worker = new Worker(code, { eval: true, workerData: { pairs, swaps } });
  return new Promise((resolve, reject) => {
    worker.once('message', (n: number) => resolve(n));
    worker.once('error', reject);
  });
}

describe('permissions under a symlink race', () => {
  it(`${SWAPS} swaps of a file, a directory and a parent for symlinks to root-owned targets never change a target`, async () => {
    const outside = path.join(dir, 'outside');
    await mkdir(outside, { mode: 0o700 });
    const targetFile = path.join(outside, 'shadow');
    const targetDir = path.join(outside, 'secret-dir');
    const targetParent = path.join(outside, 'parent');
    await writeFile(targetFile, 'root only', { mode: 0o600 });
    await mkdir(targetDir, { mode: 0o700 });
    await mkdir(targetParent, { mode: 0o700 });
    // Named like the archive's files, so a path that follows the swapped parent finds them.
    await writeFile(path.join(targetParent, 'cert1.pem'), 'root only', { mode: 0o600 });
    await writeFile(path.join(targetParent, 'privkey1.pem'), 'root only', { mode: 0o600 });
    const archive = path.join(store, 'archive', 'web');
    // The parent race needs its own certificate: its archive directory is the one swapped.
    const other = path.join(store, 'archive', 'other');
    await mkdir(other, { mode: 0o700 });
    for (const f of ['cert1.pem', 'privkey1.pem']) await writeFile(path.join(other, f), 'x', { mode: 0o600 });
    const racing = startRacer([
      { inside: path.join(archive, 'privkey1.pem'), target: targetFile, mode: 0o600 },
      { inside: path.join(store, 'live', '.versions', 'web', '1'), target: targetDir, mode: 0o700 },
      { inside: other, target: targetParent, mode: 0o700 },
    ], SWAPS);
    let done = false;
    void racing.then(() => { done = true; }, () => { done = true; });
    const action = new PermissionsAction({ filesMode: 0o644, dirsMode: 0o777 }, 60_000, false);
    let runs = 0;
    let changed = 0;
    const failures: string[] = [];
    while (!done) {
      for (const name of ['web', 'other']) {
        try {
          await action.run({ ...event, name }, ctx());
          changed += action.lastChanges.chmod.length;
        } catch (err) {
          failures.push((err as Error).message);
        }
        runs++;
      }
    }
    expect(await racing).toBe(SWAPS);
    const mode = async (p: string) => (await stat(p)).mode & 0o7777;
    expect({ file: await mode(targetFile), dir: await mode(targetDir), parent: await mode(targetParent), cert: await mode(path.join(targetParent, 'cert1.pem')), key: await mode(path.join(targetParent, 'privkey1.pem')) })
      .toEqual({ file: 0o600, dir: 0o700, parent: 0o700, cert: 0o600, key: 0o600 });
    // The runs did work (the race was real), and none failed on a swapped path.
    expect(runs).toBeGreaterThan(1);
    expect(changed).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});

describe('permissions', () => {
  it('a file with a second hard link (it is also elsewhere) is left alone', async () => {
    const elsewhere = path.join(dir, 'elsewhere.pem');
    await writeFile(elsewhere, 'x', { mode: 0o600 });
    await link(elsewhere, path.join(store, 'archive', 'web', 'cert2.pem'));
    const a = new PermissionsAction({ filesMode: 0o644 }, 10_000, false);
    await a.run(event, ctx());
    expect((await stat(elsewhere)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(store, 'archive', 'web', 'cert1.pem'))).mode & 0o777).toBe(0o644);
  });

  it('a store root that is a symlink is a clear error, and nothing behind it changes', async () => {
    const alias = path.join(dir, 'alias');
    await symlink(store, alias);
    const a = new PermissionsAction({ filesMode: 0o644 }, 10_000, false);
    await expect(a.run(eventIn(alias), ctx())).rejects.toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringMatching(/is not a directory \(a symlink is not followed/) });
    expect((await stat(path.join(store, 'archive', 'web', 'cert1.pem'))).mode & 0o777).toBe(0o600);
  });

  it('stops when its signal is aborted', async () => {
    const a = new PermissionsAction({ filesMode: 0o644 }, 10_000, false);
    await expect(a.run(event, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});
