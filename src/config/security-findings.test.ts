import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';
import { isProduction, securityFindings } from './security-findings.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-sec-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

const LONG = 'k'.repeat(24) + 'Zq8vN3pX'; // 32 characters
const base = (o: { directory?: string; apiUrl?: string; key?: string; extra?: string; store?: string; top?: string } = {}) => `${o.top ?? ''}acme:
  directory: ${o.directory ?? 'https://acme-v02.api.letsencrypt.org/directory'}
store:
  path: ${o.store ?? path.join(dir, 'clean')}
  encryption_key_file: /run/secrets/store-key
dns:
  providers:
    home:
      type: powerdns
      api_url: ${o.apiUrl ?? 'https://pdns.example.com'}
      api_key: ${o.key ?? LONG}
certificates:
  - domains: [example.com]
    dns: home
${o.extra ?? ''}`;
const problems = async (text: string, env: NodeJS.ProcessEnv = {}) => (await securityFindings(parseConfig(text, 'c.yaml'), { env, uid: 1000 })).map((f) => f.problem);

describe('securityFindings: each insecure setting on its own', () => {
  it('a clean production config has no findings', async () => {
    expect(await problems(base())).toEqual([]);
  });

  it('plain http to a remote provider (loopback is fine)', async () => {
    expect(await problems(base({ apiUrl: 'http://pdns.example.com:8081' }))).toEqual([expect.stringMatching(/^dns\.providers\.home\.api_url is plain http to pdns\.example\.com/)]);
    expect(await problems(base({ apiUrl: 'http://127.0.0.1:8081' }))).toEqual([]);
  });

  it('placeholder and short secrets', async () => {
    expect(await problems(base({ key: 'changeme' }))).toEqual(['dns.providers.home.api_key is a placeholder value']);
    expect(await problems(base({ key: 'short-key' }))).toEqual(['dns.providers.home.api_key is shorter than 32 characters']);
  });

  it('a staging directory unless allow_staging', async () => {
    expect(await problems(base({ directory: 'letsencrypt-staging' }))).toEqual([expect.stringMatching(/^acme\.directory is a staging CA/)]);
    expect(await problems(base({ directory: 'letsencrypt-staging' }).replace('acme:\n', 'acme:\n  allow_staging: true\n'))).toEqual([]);
  });

  it('key modes wider than 0640, in deploy actions and on disk', async () => {
    expect(await problems(base({ extra: '    deploy:\n      - permissions: { files_mode: "0644" }\n' }))).toEqual([expect.stringMatching(/files_mode 644 makes private keys readable/)]);
    expect(await problems(base({ extra: '    deploy:\n      - copy: { combined: /etc/haproxy/x.pem, mode: "0666" }\n' }))).toEqual([expect.stringMatching(/copy\.mode 666 makes a copied private key/)]);
    const store = path.join(dir, 'wide');
    await mkdir(path.join(store, 'archive', 'web'), { recursive: true });
    await writeFile(path.join(store, 'archive', 'web', 'privkey1.pem'), 'x', { mode: 0o644 });
    await chmod(path.join(store, 'archive', 'web', 'privkey1.pem'), 0o644);
    expect(await problems(base({ store }))).toEqual([expect.stringMatching(/privkey1\.pem has mode 644, wider than 0640/)]);
  });

  it('a store writable by everyone', async () => {
    const store = path.join(dir, 'world');
    await mkdir(store);
    await chmod(store, 0o777);
    expect(await problems(base({ store }))).toEqual([expect.stringMatching(/is writable by every user/)]);
  });

  it('no store key (account keys unencrypted), unless CERTFLEET_STORE_KEY is set', async () => {
    const text = base().replace('  encryption_key_file: /run/secrets/store-key\n', '');
    expect(await problems(text)).toEqual(['account keys are stored unencrypted (no store key)']);
    expect(await problems(text, { CERTFLEET_STORE_KEY: 'x' })).toEqual([]);
  });

  it('root is a warning, not an error; production comes from mode or CERTFLEET_ENV', async () => {
    const f = await securityFindings(parseConfig(base(), 'c.yaml'), { env: {}, uid: 0 });
    expect(f).toEqual([{ problem: 'running as root', fix: expect.any(String), severity: 'warning' }]);
    expect(isProduction(parseConfig(base({ top: 'mode: production\n' }), 'c'), {})).toBe(true);
    expect(isProduction(parseConfig(base(), 'c'), { CERTFLEET_ENV: 'production' })).toBe(true);
    expect(isProduction(parseConfig(base({ top: 'mode: development\n' }), 'c'), { CERTFLEET_ENV: 'production' })).toBe(false);
  });
});
