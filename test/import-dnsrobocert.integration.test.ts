import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certfleet, DNSROBOCERT_FIXTURES, importThenCheck } from './support/run-import-dnsrobocert.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-import-drc-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const fixtures = async (group: string) => (await readdir(path.join(DNSROBOCERT_FIXTURES, group))).filter((f) => f.endsWith('.yml')).sort();

/** Where DNSroboCert's own invalid configs go wrong: file:line:column field path, and why. */
const REFUSED: Record<string, string> = {
  'docs-certificates-section.yml': ':17:3: certificates[0].podman_containers: unknown key "podman_containers"',
  'test-bad-config-duplicated-cert-name.yml': ':9:9: certificates[1].name: certificate with name "test.example.com" is duplicated',
  'test-bad-config-non-existent-profile.yml': ':8:12: certificates[0].profile: profile "two" used by certificate test.example.com does not exist',
  'test-bad-config-wrong-posix-mode.yml': ':5:17: acme.certs_permissions.files_mode: invalid files_mode 9999',
  'test-bad-config-wrong-schema.yml': ':3:1: wrong_property: unknown key "wrong_property"',
};

describe('certfleet import dnsrobocert: DNSroboCert\'s own configs', () => {
  it('each valid one imports (exit 0) and its output passes check-config unchanged', async () => {
    const files = await fixtures('valid');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const { imported, checked } = await importThenCheck(path.join(DNSROBOCERT_FIXTURES, 'valid', f), path.join(dir, `${f}.yaml`));
      expect({ f, code: imported.code, stderr: imported.code ? imported.stderr : '' }).toEqual({ f, code: 0, stderr: '' });
      expect({ f, code: checked.code, stderr: checked.stderr }).toEqual({ f, code: 0, stderr: '' });
    }
  });
  it('each invalid one exits 2 with the location and the reason, and prints no config', async () => {
    expect(await fixtures('invalid')).toEqual(Object.keys(REFUSED).sort());
    for (const [f, where] of Object.entries(REFUSED)) {
      const file = path.join(DNSROBOCERT_FIXTURES, 'invalid', f);
      const run = await certfleet(['import', 'dnsrobocert', file]);
      expect({ f, code: run.code, stdout: run.stdout }).toEqual({ f, code: 2, stdout: '' });
      expect(run.stderr).toContain(`${file}${where}`);
    }
  });
});

describe('certfleet import dnsrobocert', () => {
  it('a config on native providers, with hooks, restarts, permissions and ${VAR}s, passes check-config unchanged; notes go to stderr', async () => {
    const file = path.join(dir, 'native.yml');
    await writeFile(file, `acme:
  email_account: ops@example.net
  staging: true
  crontab_renew: "12 01,13 * * *"
  certs_permissions: { files_mode: 0640, dirs_mode: 0750, user: root, group: root }
profiles:
- name: home
  provider: powerdns
  provider_options: { auth_token: "\${PDNS_API_KEY}", pdns_server: "http://127.0.0.1:8081" }
  sleep_time: 60
  max_checks: 4
- name: cf
  provider: cloudflare
  provider_options: { auth_token: "\${CF_TOKEN}" }
certificates:
- domains: ["*.example.net", example.net]
  profile: home
  deploy_hook: systemctl reload nginx && logger renewed
  autorestart:
  - containers: [haproxy]
    swarm_services: [web]
  autocmd:
  - cmd: nginx -s reload
    containers: [nginx]
- name: mail
  domains: [mail.example.org]
  profile: cf
  key_type: ecdsa
  reuse_key: true
`);
    const { imported, checked } = await importThenCheck(file, path.join(dir, 'native.yaml'), { PDNS_API_KEY: 'pdns-key', CF_TOKEN: 'cf-token' });
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe(`certfleet: note: ${file}:4:3: acme.crontab_renew: not needed: the daemon (certfleet run) schedules each renewal itself, from the certificate's dates and the CA's renewal info\n`);
    expect(imported.stdout).toMatch(/^# certfleet config translated from /);
    expect(checked).toMatchObject({ code: 0, stdout: `${path.join(dir, 'native.yaml')}: valid (2 certificates, 2 DNS providers)\n` });
  });
  it('usage errors exit 2: no FILE, two FILEs, a file that is not there', async () => {
    expect(await certfleet(['import', 'dnsrobocert'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected one FILE, got 0') as string });
    expect(await certfleet(['import', 'dnsrobocert', 'a', 'b'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected one FILE, got 2') as string });
    const missing = path.join(dir, 'missing.yml');
    expect(await certfleet(['import', 'dnsrobocert', missing])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(`${missing}:0:0: cannot read DNSroboCert config: ENOENT`) as string });
  });
});
