import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { isProduction, securityFindings } from './security-findings.js';

let dir: string;
let keyFile: string;
const LONG = 'k'.repeat(24) + 'Zq8vN3pX'; // 32 characters
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-sec-'));
  keyFile = path.join(dir, 'pdns.key');
  await writeFile(keyFile, LONG, { mode: 0o600 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A clean production config; `key` writes the API key inline instead of in a 0600 secret file. */
const base = (o: { directory?: string; apiUrl?: string; key?: string; extra?: string; store?: string; top?: string; tail?: string } = {}) => `${o.top ?? ''}acme:
  directory: ${o.directory ?? 'https://acme-v02.api.letsencrypt.org/directory'}
store:
  path: ${o.store ?? path.join(dir, 'clean')}
  encryption_key_file: /run/secrets/store-key
dns:
  providers:
    home:
      type: powerdns
      api_url: ${o.apiUrl ?? 'https://pdns.example.com'}
      ${o.key === undefined ? `api_key_file: ${keyFile}` : `api_key: ${o.key}`}
certificates:
  - domains: [example.com]
    dns: home
${o.extra ?? ''}${o.tail ?? ''}`;
const problems = async (text: string, env: NodeJS.ProcessEnv = {}) => (await securityFindings(parseConfig(text, 'c.yaml', { env }), { env, uid: 1000 })).map((f) => f.problem);
const INLINE = 'dns.providers.home.api_key is written in the config file';

describe('securityFindings: each insecure setting on its own', () => {
  it('a clean production config has no findings', async () => {
    expect(await problems(base())).toEqual([]);
  });

  it('plain http to a remote provider (loopback is fine)', async () => {
    expect(await problems(base({ apiUrl: 'http://pdns.example.com:8081' }))).toEqual([expect.stringMatching(/^dns\.providers\.home\.api_url is plain http to pdns\.example\.com/)]);
    expect(await problems(base({ apiUrl: 'http://127.0.0.1:8081' }))).toEqual([]);
  });

  it('placeholder and short secrets', async () => {
    expect(await problems(base({ key: 'changeme' }))).toEqual(['dns.providers.home.api_key is a placeholder value', INLINE]);
    expect(await problems(base({ key: 'short-key' }))).toEqual(['dns.providers.home.api_key is shorter than 32 characters', INLINE]);
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
    // Behind an archive/ only its owner may enter (as certfleet makes it), no other user reaches the key.
    await chmod(path.join(store, 'archive'), 0o700);
    expect(await problems(base({ store }))).toEqual([]);
    await chmod(path.join(store, 'archive'), 0o710);
    expect(await problems(base({ store }))).toHaveLength(1);
    // A reload of the same store does not walk it again (the daemon asks for that at start and on a store change).
    expect((await securityFindings(parseConfig(base({ store }), 'c.yaml', { env: {} }), { env: {}, uid: 1000, storedKeys: false })).map((f) => f.problem)).toEqual([]);
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

  it('postgres store: TLS with verify-full or a unix socket, and a store key, are required', async () => {
    const pg = (url: string, key = true) => base().replace(`store:\n  path: ${path.join(dir, 'clean')}\n  encryption_key_file: /run/secrets/store-key\n`,
      `store:\n  type: postgres\n  url: \${CERTFLEET_PG_URL}\n  path: ${path.join(dir, 'clean')}\n${key ? '  encryption_key_file: /run/secrets/store-key\n' : ''}`);
    const env = (url: string) => ({ CERTFLEET_PG_URL: url });
    const tcp = 'postgres://certfleet:pw-0123456789abcdef0123456789@db.example.com:5432/certfleet';
    expect(await problems(pg(tcp), env(`${tcp}?sslmode=verify-full`))).toEqual([]);
    expect(await problems(pg(tcp), env('postgres://certfleet@/certfleet?host=/run/postgresql'))).toEqual([]);
    const plain = await problems(pg(tcp), env(`${tcp}?sslmode=require`));
    expect(plain).toEqual(['store.url connects to PostgreSQL at db.example.com:5432 without sslmode=verify-full: the password and every private key can be read or changed on the way']);
    expect(plain.join()).not.toContain('pw-0123');
    expect(await problems(pg(tcp, false), env(`${tcp}?sslmode=verify-full`))).toEqual([expect.stringMatching(/^certificate and account keys are stored unencrypted in PostgreSQL/)]);
  });

  it('a secret written in the YAML (not ${VAR}, not <option>_file), wherever it is', async () => {
    expect(await problems(base({ key: LONG }))).toEqual([INLINE]);
    expect(await problems(base({ key: '${CERTFLEET_PDNS_KEY}' }), { CERTFLEET_PDNS_KEY: LONG })).toEqual([]);
    const hmac = `${LONG}x`;
    const f = await securityFindings(parseConfig(base({ tail: `notify:\n  - webhook: { url: "https://alerts.example.com/x", secret: ${hmac} }\n` }), 'c.yaml', { env: {} }), { env: {}, uid: 1000 });
    expect(f).toEqual([{ problem: 'notify[0].webhook.secret is written in the config file', fix: expect.stringMatching(/secret_file: PATH, mode 0600/), severity: 'error' }]);
  });

  it('secret files and the store key file that other users can read', async () => {
    const open = path.join(dir, 'open.key');
    await writeFile(open, LONG);
    await chmod(open, 0o644);
    expect(await problems(base().replace(keyFile, open))).toEqual([`dns.providers.home.api_key_file ${open} has mode 644: other users can read or change it`]);
    const storeKey = path.join(dir, 'store.key');
    await writeFile(storeKey, 'x');
    await chmod(storeKey, 0o604);
    expect(await problems(base().replace('/run/secrets/store-key', storeKey))).toEqual([`store.encryption_key_file ${storeKey} has mode 604: other users can read or change it`]);
    await chmod(storeKey, 0o640);
    expect(await problems(base().replace('/run/secrets/store-key', storeKey))).toEqual([]);
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', async () => {
    expect(await problems(base(), { NODE_TLS_REJECT_UNAUTHORIZED: '0' })).toEqual([expect.stringMatching(/^NODE_TLS_REJECT_UNAUTHORIZED=0 is set/)]);
    expect(await problems(base(), { NODE_TLS_REJECT_UNAUTHORIZED: '1' })).toEqual([]);
  });

  it('dirs_mode with group or other write, and world-writable copies (key or not)', async () => {
    const deploy = (item: string) => base({ extra: `    deploy:\n      - ${item}\n` });
    expect(await problems(deploy('permissions: { dirs_mode: "0777" }'))).toEqual([expect.stringMatching(/permissions\.dirs_mode 777 lets group or others replace/)]);
    expect(await problems(deploy('permissions: { dirs_mode: "0770" }'))).toEqual([expect.stringMatching(/permissions\.dirs_mode 770/)]);
    expect(await problems(deploy('permissions: { dirs_mode: "0750", files_mode: "0640" }'))).toEqual([]);
    expect(await problems(deploy('copy: { fullchain: /etc/nginx/x.pem, mode: "0666" }'))).toEqual([expect.stringMatching(/copy\.mode 666 makes the copies writable by every user/)]);
    expect(await problems(deploy('copy: { fullchain: /etc/nginx/x.pem, mode: "0644" }'))).toEqual([]);
  });

  it('deploy and notify webhooks over plain http to another host', async () => {
    expect(await problems(base({ extra: '    deploy:\n      - webhook: { url: "http://hooks.example.com/x" }\n' }))).toEqual([expect.stringMatching(/^certificates\[0\]\.deploy\[0\]\.webhook\.url is plain http to hooks\.example\.com/)]);
    expect(await problems(base({ tail: 'notify:\n  - webhook: { url: "http://alerts.example.com/x" }\n' }))).toEqual([expect.stringMatching(/^notify\[0\]\.webhook\.url is plain http to alerts\.example\.com/)]);
    expect(await problems(base({ tail: 'notify:\n  - webhook: { url: "http://127.0.0.1:9000/x" }\n  - webhook: { url: "https://alerts.example.com/x" }\n' }))).toEqual([]);
  });

  it('legacy PFX', async () => {
    const pfx = (legacy: boolean) => base({ extra: `    deploy:\n      - pfx: { passphrase_file: ${keyFile}, legacy: ${legacy} }\n` });
    expect(await problems(pfx(true))).toEqual([expect.stringMatching(/pfx\.legacy is true/)]);
    expect(await problems(pfx(false))).toEqual([]);
  });

  it('PFX without a passphrase (an unencrypted key in cert.pfx)', async () => {
    const pfx = (item: string) => base({ extra: `    deploy:\n      - pfx: ${item}\n` });
    expect(await problems(pfx('{}'))).toEqual(['certificates[0].deploy[0].pfx has no passphrase: cert.pfx holds the private key unencrypted']);
    expect(await problems(pfx('{ legacy: true }'))).toEqual([expect.stringMatching(/pfx has no passphrase/), expect.stringMatching(/pfx\.legacy is true/)]);
    expect(await problems(pfx(`{ passphrase_file: ${keyFile} }`))).toEqual([]);
  });

  it('a certificate entry\'s secrets are found with their path, also for an entry object checked before (a reload)', async () => {
    const text = base({ extra: '    deploy:\n      - pfx: { passphrase: changeme }\n' });
    const config = parseConfig(text, 'c.yaml', { env: {} });
    const found = async () => (await securityFindings(config, { env: {}, uid: 1000, storedKeys: false })).map((f) => f.problem);
    const expected = ['certificates[0].deploy[0].pfx.passphrase is a placeholder value', 'certificates[0].deploy[0].pfx.passphrase is written in the config file'];
    expect(await found()).toEqual(expected);
    expect(await found()).toEqual(expected);
    // The same entry object at another position keeps its own path.
    config.certificates.unshift({ ...config.certificates[0]!, deploy: [], name: 'other' });
    expect(await found()).toEqual(expected.map((p) => p.replace('certificates[0]', 'certificates[1]')));
  });

  it('each raw engine socket of a list, Docker and Podman at once', async () => {
    const restart = base({ extra: '    deploy:\n      - container: { restart: [nginx] }\n' });
    expect(await problems(`${restart}containers: { socket: [/var/run/docker.sock, "tcp://podman-proxy:2375", /run/podman/podman.sock] }\n`)).toEqual([
      expect.stringMatching(/^containers\.socket \/var\/run\/docker\.sock is the engine's own socket/),
      expect.stringMatching(/^containers\.socket \/run\/podman\/podman\.sock is the engine's own socket/),
    ]);
    expect(await problems(`${restart}containers: { socket: ["tcp://docker-proxy:2375", "tcp://podman-proxy:2375"] }\n`)).toEqual([]);
  });

  it('the raw engine socket while container actions are configured', async () => {
    const restart = base({ extra: '    deploy:\n      - container: { restart: [nginx] }\n' });
    expect(await problems(restart)).toEqual([expect.stringMatching(/^containers\.socket \/var\/run\/docker\.sock is the engine's own socket/)]);
    expect(await problems(`${restart}containers: { socket: "unix:///run/podman/podman.sock" }\n`)).toEqual([expect.stringMatching(/^containers\.socket unix:\/\/\/run\/podman/)]);
    expect(await problems(`${restart}containers: { socket: "tcp://socket-proxy:2375" }\n`)).toEqual([]);
    expect(await problems(`${restart}containers: { enabled: false }\n`)).toEqual([]);
    expect(await problems(base())).toEqual([]);
  });

  it('root is an error (a warning outside production); production comes from mode or CERTFLEET_ENV', async () => {
    const f = await securityFindings(parseConfig(base(), 'c.yaml'), { env: {}, uid: 0 });
    expect(f).toEqual([{ problem: 'running as root', fix: expect.any(String), severity: 'error' }]);
    expect(isProduction(parseConfig(base({ top: 'mode: production\n' }), 'c'), {})).toBe(true);
    expect(isProduction(parseConfig(base(), 'c'), { CERTFLEET_ENV: 'production' })).toBe(true);
    expect(isProduction(parseConfig(base({ top: 'mode: development\n' }), 'c'), { CERTFLEET_ENV: 'production' })).toBe(false);
  });
});

/** `base()` with one more provider entry (indented under dns.providers). */
const withProvider = (entry: string) => base().replace('  providers:\n', `  providers:\n${entry.replace(/^/gm, '    ').trimEnd()}\n`);

describe('securityFindings: the native and lexicon providers of wave 2', () => {
  it('a lexicon entry: only credential-like options are judged as secrets, at the path as written', async () => {
    const ovh = (secret: string) => withProvider(`o:\n  type: lexicon\n  provider: ovh\n  auth_entrypoint: ovh-eu\n  auth_application_key: ${LONG}\n  auth_application_secret: ${secret}\n  auth_consumer_key_file: ${keyFile}\n`);
    expect(await problems(ovh(`\${CERTFLEET_OVH_SECRET}`), { CERTFLEET_OVH_SECRET: LONG })).toEqual(['dns.providers.o.auth_application_key is written in the config file']);
    expect(await problems(ovh('changeme'), {})).toEqual([
      'dns.providers.o.auth_application_key is written in the config file',
      'dns.providers.o.auth_application_secret is a placeholder value',
      'dns.providers.o.auth_application_secret is written in the config file',
    ]);
    const fixes = (await securityFindings(parseConfig(ovh('changeme'), 'c.yaml', { env: {} }), { env: {}, uid: 1000 })).map((f) => f.fix);
    expect(fixes).toContainEqual(expect.stringContaining('auth_application_secret_file: PATH'));
    // pdns_server is a URL, not a password: not "shorter than 32 characters".
    expect(await problems(withProvider(`l:\n  type: lexicon\n  provider: powerdns\n  pdns_server: https://ns.example.com\n  auth_token_file: ${keyFile}\n`))).toEqual([]);
  });
  it('plain http for every URL option that carries credentials; not for Google\'s metadata server', async () => {
    const azure = withProvider(`az:\n  type: azure\n  subscription_id: s\n  resource_group: rg\n  tenant_id: t\n  client_id: c\n  client_secret_file: ${keyFile}\n  login_url: http://login.example.com\n`);
    expect(await problems(azure)).toEqual([expect.stringMatching(/^dns\.providers\.az\.login_url is plain http to login\.example\.com: credentials cross/)]);
    expect(await problems(withProvider('r:\n  type: route53\n  sts_url: http://sts.example.com\n'))).toEqual([expect.stringMatching(/^dns\.providers\.r\.sts_url is plain http to sts\.example\.com/)]);
    expect(await problems(withProvider('g:\n  type: google-cloud-dns\n  project: p\n  token_url: http://oauth.example.com/token\n'))).toEqual([expect.stringMatching(/^dns\.providers\.g\.token_url is plain http/)]);
    expect(await problems(withProvider('g:\n  type: google-cloud-dns\n  project: p\n  metadata_url: http://metadata.google.internal/computeMetadata/v1\n'))).toEqual([]);
    expect(await problems(withProvider('r:\n  type: route53\n  sts_url: http://127.0.0.1:9000\n'))).toEqual([]);
  });
});
