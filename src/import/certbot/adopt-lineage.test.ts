import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../store/file-store.js';
import { adoptLineage } from './adopt-lineage.js';
import { exchangePaths } from './exchange-paths.js';
import { lineageMeta } from './lineage-meta.js';
import { readArchive, readCertbotStore } from './read-certbot-store.js';

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-adopt-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });
const S = () => AbortSignal.timeout(10_000);

/** A certbot lineage `web` with archive versions 1 and 2, live/ at 2 (openssl makes the certificates). */
async function certbotLineage(): Promise<void> {
  const archive = path.join(root, 'archive', 'web');
  await mkdir(archive, { recursive: true });
  await mkdir(path.join(root, 'live', 'web'), { recursive: true });
  await mkdir(path.join(root, 'renewal'), { recursive: true });
  for (const v of [1, 2]) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '90', '-subj', '/CN=web.example.test',
      '-addext', 'subjectAltName=DNS:web.example.test,DNS:www.example.test', '-keyout', path.join(archive, `privkey${v}.pem`), '-out', path.join(archive, `cert${v}.pem`)], { stdio: 'ignore' });
    await writeFile(path.join(archive, `chain${v}.pem`), await readFile(path.join(archive, `cert${v}.pem`)));
    await writeFile(path.join(archive, `fullchain${v}.pem`), Buffer.concat([await readFile(path.join(archive, `cert${v}.pem`)), await readFile(path.join(archive, `chain${v}.pem`))]));
  }
  for (const f of ['cert', 'chain', 'fullchain', 'privkey']) await symlink(`../../archive/web/${f}2.pem`, path.join(root, 'live', 'web', `${f}.pem`));
  await writeFile(path.join(root, 'renewal', 'web.conf'), 'version = 2.1.0\n[renewalparams]\nserver = https://ca.example.test/dir\nauthenticator = manual\n');
}

async function adopt(): Promise<string> {
  const [lineage] = (await readCertbotStore(root, S())).lineages;
  const version = lineage!.live.kind === 'missing' ? 2 : lineage!.live.version;
  const meta = lineageMeta('web', version, await readArchive(root, 'web', version, S()), { directory: 'https://ca.example.test/dir', account: '' });
  return adoptLineage(root, lineage!, meta, S());
}

describe('adoptLineage', () => {
  it('switches live/<name> in one exchange: the same bytes at the same path, version 2 is certfleet\'s version 2', async () => {
    await certbotLineage();
    const before = await readFile(path.join(root, 'live', 'web', 'fullchain.pem'), 'utf8');
    expect(await adopt()).toBe('exchanged');
    expect(await readlink(path.join(root, 'live', 'web'))).toBe('.versions/web/2');
    expect(await readFile(path.join(root, 'live', 'web', 'fullchain.pem'), 'utf8')).toBe(before);
    const store = new FileStore({ root });
    expect(await store.readMeta('web', S())).toMatchObject({ version: 2, domains: ['web.example.test', 'www.example.test'], keyType: 'ecdsa-p256', directory: 'https://ca.example.test/dir' });
    expect((await store.load('web', S()))?.pem.fullchain).toBe(before);
    expect((await readdir(path.join(root, 'live'))).sort()).toEqual(['.versions', 'web']);
    expect(await readdir(path.join(root, 'renewal'))).toEqual(expect.arrayContaining(['web.conf.certfleet', 'web.json']));
    // certfleet's next save is version 3: certbot's versions 1 and 2 stay as they are.
    await using lease = await store.lock('web', S());
    const saved = await store.save({ meta: { ...(await store.readMeta('web', S()))!, serial: 'next' }, pem: { cert: 'c', chain: 'ch', fullchain: 'f3', privkey: 'k' } }, lease, S());
    expect(saved.version).toBe(3);
    expect(await readFile(path.join(root, 'archive', 'web', 'fullchain1.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('a kill before the switch: certbot\'s layout, and the next import removes what the killed one wrote', async () => {
    await certbotLineage();
    // What a killed import leaves before its exchange: a version directory, pending metadata, a link.
    await mkdir(path.join(root, 'live', '.versions', 'web', '2'), { recursive: true });
    await writeFile(path.join(root, 'renewal', 'web.json.v2.pending'), '{"version":2}');
    await symlink('.versions/web/2', path.join(root, 'live', '.web.0badc0de'));
    expect(await adopt()).toBe('exchanged');
    expect((await readdir(path.join(root, 'live'))).sort()).toEqual(['.versions', 'web']);
    expect(await readdir(path.join(root, 'live', '.versions', 'web', '2'))).toHaveLength(4);
    expect(await readdir(path.join(root, 'renewal'))).not.toContain('web.json.v2.pending');
  });

  it('a kill after the switch: certfleet reads the pending metadata, and the next import completes it', async () => {
    await certbotLineage();
    await adopt();
    // Back to the moment after the exchange: metadata pending, certbot's directory beside, conf not renamed.
    await rm(path.join(root, 'renewal', 'web.json.v2.pending'), { force: true });
    await writeFile(path.join(root, 'renewal', 'web.json.v2.pending'), await readFile(path.join(root, 'renewal', 'web.json')));
    await rm(path.join(root, 'renewal', 'web.json'));
    await mkdir(path.join(root, 'live', '.web.0badc0de'));
    await writeFile(path.join(root, 'live', '.web.0badc0de', 'README'), 'certbot');
    await writeFile(path.join(root, 'renewal', 'web.conf'), await readFile(path.join(root, 'renewal', 'web.conf.certfleet')));
    await rm(path.join(root, 'renewal', 'web.conf.certfleet'));
    expect(await new FileStore({ root }).readMeta('web', S())).toMatchObject({ version: 2 });
    expect(await adopt()).toBe('completed');
    expect((await readdir(path.join(root, 'live'))).sort()).toEqual(['.versions', 'web']);
    expect((await readdir(path.join(root, 'renewal'))).sort()).toEqual(['web.conf.certfleet', 'web.json']);
  });

  it('a kill between the two renames of the fallback (no RENAME_EXCHANGE): the next import links live/<name> again', async () => {
    await certbotLineage();
    await adopt();
    await rm(path.join(root, 'live', 'web'));
    await writeFile(path.join(root, 'renewal', 'web.json.v2.pending'), await readFile(path.join(root, 'renewal', 'web.json')));
    expect(await adopt()).toBe('completed');
    expect(await readlink(path.join(root, 'live', 'web'))).toBe('.versions/web/2');
  });
});

describe('exchangePaths', () => {
  it('swaps a directory and a symlink in one step', async () => {
    await mkdir(path.join(root, 'dir'));
    await writeFile(path.join(root, 'dir', 'f'), 'x');
    await symlink('elsewhere', path.join(root, 'link'));
    expect(await exchangePaths(path.join(root, 'link'), path.join(root, 'dir'), S())).toBe('exchanged');
    expect(await readlink(path.join(root, 'dir'))).toBe('elsewhere');
    expect((await lstat(path.join(root, 'link'))).isDirectory()).toBe(true);
    expect(await readFile(path.join(root, 'link', 'f'), 'utf8')).toBe('x');
  });
});
