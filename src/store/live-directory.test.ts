import { mkdtemp, readFile, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDebris } from '../../test/chaos/support/store-debris-finder.js';
import type { PemFile, StoredCertificate } from './certificate-store.js';
import { LiveDirectory } from './live-directory.js';

const S = () => AbortSignal.timeout(10_000);
const cert = (version: number, tag: string): StoredCertificate => ({
  meta: { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: 'test', serial: tag, account: 'a', orderUrl: 'o', issuedAt: '', version },
  pem: Object.fromEntries((['cert', 'chain', 'fullchain', 'privkey'] as PemFile[]).map((f) => [f, `${f} ${tag}\n`])) as Record<PemFile, string>,
});

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-live-')); });
afterEach(() => rm(root, { recursive: true, force: true }));

describe('LiveDirectory', () => {
  it('writes live/<name>/ in certbot\'s layout, numbered as the store\'s version; the same version again writes nothing', async () => {
    const live = new LiveDirectory({ root });
    const paths = await live.write(cert(3, 'a'), S());
    expect(paths.cert).toBe(path.join(root, 'live', 'web', 'cert.pem'));
    expect(await readFile(paths.privkey, 'utf8')).toBe('privkey a\n');
    expect(await readdir(path.join(root, 'archive', 'web'))).toEqual(['cert3.pem', 'chain3.pem', 'fullchain3.pem', 'privkey3.pem']);
    await live.write(cert(3, 'a'), S());
    expect(await readdir(path.join(root, 'live', '.versions', 'web'))).toEqual(['3']);
    await live.write(cert(4, 'b'), S());
    expect(await readFile(paths.fullchain, 'utf8')).toBe('fullchain b\n');
    expect(await findDebris(root)).toEqual([]);
  });

  it('what a killed write left above the live version is removed by the next write; derived files and access paths as the directory store', async () => {
    const live = new LiveDirectory({ root });
    await live.write(cert(1, 'a'), S());
    // A write of version 2 killed half-way.
    await mkdir(path.join(root, 'live', '.versions', 'web', '2'));
    await writeFile(path.join(root, 'archive', 'web', 'cert2.pem'), 'torn');
    expect(await findDebris(root)).not.toEqual([]);
    await live.write(cert(2, 'b'), S());
    expect(await readFile(path.join(root, 'live', 'web', 'cert.pem'), 'utf8')).toBe('cert b\n');
    expect(await findDebris(root)).toEqual([]);
    const pfx = await live.writeDerived('web', 'cert.pfx', Buffer.from('pfx'), 0o600, S());
    expect(await readFile(pfx, 'utf8')).toBe('pfx');
    const access = await live.accessPaths('web', S());
    expect(access.files).toContain(path.join(root, 'archive', 'web', 'privkey2.pem'));
    expect(access.dirs[0]).toBe(root);
  });
});
