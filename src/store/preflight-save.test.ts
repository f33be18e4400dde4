import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import type { IssuedCertificate, Issuer, IssueRequest } from '../issuer/issuer.js';
import { SelfSignedIssuer } from '../issuer/self-signed-issuer.js';
import { Renewer } from '../issue/renewer.js';
import { StateUpdates } from '../solver/state-updates.js';
import { captureLog } from '../../test/support/test-log.js';
import { FileStore } from './file-store.js';

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-preflight-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

const S = () => AbortSignal.timeout(10_000);
const config = parseConfig('acme: { directory: selfsigned }\nstore: { path: /nonexistent }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n', 'c.yaml');
const spec = config.certificates[0]!;

/** The development CA, counting what it is asked: an order here is an order at a real CA. */
class CountingIssuer implements Issuer {
  readonly key = 'test-ca';
  readonly orders: IssueRequest[] = [];
  private readonly real: SelfSignedIssuer;
  constructor(store: FileStore) {
    this.real = new SelfSignedIssuer({ accounts: store, log: captureLog().log });
  }
  issue(req: IssueRequest, signal: AbortSignal): Promise<IssuedCertificate> {
    this.orders.push(req);
    return this.real.issue(req, signal);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function renewerOn(store: FileStore) {
  const issuer = new CountingIssuer(store);
  const renewer = new Renewer({
    acme: config.acme, store, updates: new StateUpdates(store), local: store, issuer, clock: Date, log: captureLog().log,
    solver: { removeLeftovers: () => Promise.resolve(0) },
    deploy: { run: () => Promise.resolve([]) },
    notifier: { notify: () => Promise.resolve() },
  });
  return { issuer, renewer };
}

/** What certbot leaves for lineage `web`: archive files and a live/ directory of links to them. */
async function certbotLineage(): Promise<void> {
  await mkdir(path.join(root, 'archive', 'web'), { recursive: true });
  await mkdir(path.join(root, 'live', 'web'), { recursive: true });
  for (const f of ['cert', 'chain', 'fullchain', 'privkey']) {
    await writeFile(path.join(root, 'archive', 'web', `${f}1.pem`), `certbot ${f} 1`);
    await symlink(`../../archive/web/${f}1.pem`, path.join(root, 'live', 'web', `${f}.pem`));
  }
  await writeFile(path.join(root, 'live', 'web', 'README'), 'certbot\n');
}

/** Every entry under the store that a refused save could have left (debris). */
async function debris(): Promise<string[]> {
  const live = await readdir(path.join(root, 'live')).catch(() => [] as string[]);
  const versions = await readdir(path.join(root, 'live', '.versions')).catch(() => [] as string[]);
  return [...live.filter((f) => f.startsWith('.web.')), ...versions.map((v) => `.versions/${v}`)];
}

describe('preflight before any order', () => {
  it('a certbot live/<name>: the certificate fails with one clear error, nothing is ordered, no debris (issue 17)', async () => {
    await certbotLineage();
    const store = new FileStore({ root });
    const { issuer, renewer } = renewerOn(store);
    const out = await renewer.process(spec, {}, S());
    expect(out.result).toBe('failed');
    expect(out.detail).toMatch(/live\/web is certbot's directory, not certfleet's link: run "certfleet import certbot .*" to adopt it in place.*nothing was ordered/);
    expect(issuer.orders).toHaveLength(0);
    expect(await debris()).toEqual([]);
    expect(await readFile(path.join(root, 'live', 'web', 'fullchain.pem'), 'utf8')).toBe('certbot fullchain 1');
  });

  it('a save that gets past the preflight (live/ replaced meanwhile) leaves no empty .versions/<name>', async () => {
    await certbotLineage();
    const store = new FileStore({ root });
    await using lease = await store.lock('web', S());
    const meta = { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '1', account: 'a', orderUrl: 'o', issuedAt: '' };
    await expect(store.save({ meta, pem: { cert: 'c', chain: 'ch', fullchain: 'f', privkey: 'k' } }, lease, S())).rejects.toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/certbot's directory/) });
    expect(await debris()).toEqual([]);
  });

  it("the sweep at start leaves another tool's lineage alone (its archive files are what live/ serves)", async () => {
    await certbotLineage();
    const store = new FileStore({ root });
    await store.sweep(S());
    expect((await readdir(path.join(root, 'archive', 'web'))).sort()).toEqual(['cert1.pem', 'chain1.pem', 'fullchain1.pem', 'privkey1.pem']);
    expect(await readFile(path.join(root, 'live', 'web', 'privkey.pem'), 'utf8')).toBe('certbot privkey 1');
  });

  it('a live/<name> that is a plain directory or a foreign link: "move it away"', async () => {
    const store = new FileStore({ root });
    await mkdir(path.join(root, 'live', 'web'), { recursive: true });
    await expect(store.preflight('web', S())).rejects.toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/live\/web is a directory, not certfleet's link: move it away/) });
    await rm(path.join(root, 'live', 'web'), { recursive: true });
    await symlink('/etc/ssl/private', path.join(root, 'live', 'web'));
    await expect(store.preflight('web', S())).rejects.toMatchObject({ message: expect.stringMatching(/is a link to \/etc\/ssl\/private, not certfleet's link/) });
  });

  it('a store directory this process cannot write: refused before the order, naming the directory', async () => {
    const store = new FileStore({ root });
    const { issuer, renewer } = renewerOn(store);
    const archive = path.join(root, 'archive');
    await mkdir(archive, { recursive: true });
    // root may write anything but an immutable directory; others are stopped by the mode.
    const root0 = process.getuid?.() === 0;
    if (root0) execFileSync('chattr', ['+i', archive]);
    else await chmod(archive, 0o500);
    let out;
    try {
      out = await renewer.process(spec, {}, S());
    } finally {
      if (root0) execFileSync('chattr', ['-i', archive]);
    }
    expect(out).toMatchObject({ result: 'failed', detail: expect.stringMatching(/the store directory .*\/archive is not writable by this process.*nothing was ordered/) });
    expect(issuer.orders).toHaveLength(0);
  });

  it('a key type that cannot be produced: KEY_TYPE_INVALID before the order', async () => {
    const store = new FileStore({ root });
    const { issuer, renewer } = renewerOn(store);
    const out = await renewer.process({ ...spec, key_type: 'dsa-1024' as never }, {}, S());
    expect(out).toMatchObject({ result: 'failed', detail: expect.stringMatching(/unknown key type "dsa-1024"/) });
    expect(issuer.orders).toHaveLength(0);
  });
});
