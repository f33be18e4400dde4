import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certfleet as run } from './support/run-import-dnsrobocert.js';
import { selfSignedDeployConfig } from './support/self-signed-deploy-config.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-list-check-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

/** bin/certfleet without a CERTFLEET_CONFIG of the caller's. */
const certfleet = (...args: string[]) => run(args, { CERTFLEET_CONFIG: '' });

/** `web` (its required hook passes once `deploy-ok` exists) and `legacy`, on the development issuer. */
async function writeConfig(store: string): Promise<string> {
  const file = path.join(dir, 'certfleet.yaml');
  await writeFile(file, selfSignedDeployConfig({ store, flag: path.join(dir, 'deploy-ok'), certs: '  - name: legacy\n    domains: [legacy.example.test]\n    dns: none\n' }));
  return file;
}

describe('certfleet list --check (bin/certfleet)', () => {
  it('exits 1 with a failing certificate and 0 without one; deploy --cert clears a failed deploy', async () => {
    const store = path.join(dir, 'store');
    const file = await writeConfig(store);
    // A certbot lineage nobody adopted: issuing `legacy` is refused, and list says why.
    await mkdir(path.join(store, 'live', 'legacy'), { recursive: true });
    await mkdir(path.join(store, 'archive', 'legacy'), { recursive: true });
    await writeFile(path.join(store, 'archive', 'legacy', 'cert1.pem'), 'x');
    await symlink('../../archive/legacy/cert1.pem', path.join(store, 'live', 'legacy', 'cert.pem'));

    expect((await certfleet('issue', '--config', file)).code).toBe(1);
    const failing = await certfleet('list', '--config', file, '--check');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^FAIL {2}web: deploy failing: hook .*test/m);
    expect(failing.stdout).toMatch(/^FAIL {2}legacy: not certfleet's: run certfleet import certbot; failing: /m);

    const table = await certfleet('list', '--config', file);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^legacy .*not certfleet's: run certfleet import certbot/m);
    expect(table.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(table.stdout).not.toMatch(/T\d\d:\d\d:\d\d\.\d{3}Z/);

    // The deploy is fixed and run again by hand; the lineage is moved away and `legacy` issued.
    await writeFile(path.join(dir, 'deploy-ok'), '');
    expect((await certfleet('deploy', '--config', file, '--cert', 'web')).code).toBe(0);
    await rm(path.join(store, 'live', 'legacy'), { recursive: true });
    expect((await certfleet('issue', '--config', file, '--cert', 'legacy', '--force')).code).toBe(0);

    const fine = await certfleet('list', '--config', file, '--check');
    expect(fine.stdout).toMatch(/^ok {4}web: valid \d+ more days/m);
    expect(fine.code).toBe(0);
    // A window wider than the certificate's life fails it again.
    expect((await certfleet('list', '--config', file, '--check', '--within', '400d')).code).toBe(1);

    const long = await certfleet('list', '--config', file, '--long');
    expect(long.stdout).toMatch(/^ {2}serial +[0-9A-F]+$/m);
    expect(long.stdout).toMatch(/^ {2}valid until +\d{4}-\d\d-\d\d \d\d:\d\d \(\d+ days\)$/m);
    expect(long.stdout).toContain(path.join(store, 'live', 'web', 'fullchain.pem'));
    expect(long.stdout).toMatch(/^ {4}hook +hook .*: ok \d{4}-\d\d-\d\d \d\d:\d\d, required$/m);
    const json = JSON.parse((await certfleet('list', '--config', file, '--json')).stdout) as { name: string; notAfter: string; deploy: { failures: number } | null }[];
    expect(json[0]).toMatchObject({ name: 'web', deploy: { failures: 0 } });
    expect(json[0]!.notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
