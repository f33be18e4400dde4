import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load-config.js';
import { treeDigest } from '../../../test/support/certbot-store.js';
import { importCertbot } from './import-certbot.js';
import { parseRenewalConf } from './renewal-conf.js';

let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-import-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });
const S = () => AbortSignal.timeout(10_000);
const TOKEN = 'cf-token-0123456789abcdef0123456789abcdef';
const TSIG = Buffer.from('certfleet-import-test-tsig-secret').toString('base64');

/** A certbot lineage with one archive version and the given renewalparams (openssl makes the certificate). */
async function lineage(name: string, params: string, o: { rsa?: boolean; top?: string } = {}): Promise<void> {
  const archive = path.join(root, 'archive', name);
  await mkdir(archive, { recursive: true });
  await mkdir(path.join(root, 'live', name), { recursive: true });
  await mkdir(path.join(root, 'renewal'), { recursive: true });
  const key = o.rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  execFileSync('openssl', ['req', '-x509', ...key, '-nodes', '-days', '90', '-subj', `/CN=${name}.example.test`, '-addext', `subjectAltName=DNS:${name}.example.test`,
    '-keyout', path.join(archive, 'privkey1.pem'), '-out', path.join(archive, 'cert1.pem')], { stdio: 'ignore' });
  await writeFile(path.join(archive, 'chain1.pem'), '');
  await writeFile(path.join(archive, 'fullchain1.pem'), await readFile(path.join(archive, 'cert1.pem')));
  for (const f of ['cert', 'chain', 'fullchain', 'privkey']) await symlink(`../../archive/${name}/${f}1.pem`, path.join(root, 'live', name, `${f}.pem`));
  await writeFile(path.join(root, 'renewal', `${name}.conf`), `${o.top ?? '# renew_before_expiry = 30 days\n'}version = 2.1.0\narchive_dir = ${archive}\n\n[renewalparams]\nserver = https://acme-v02.api.letsencrypt.org/directory\n${params}`);
}

describe('importCertbot: the config for each authenticator and hook', () => {
  it('the DNS plugins certfleet has a provider for: native, or lexicon for the plugins built on it; secrets go to 0600 files', async () => {
    const secret = (n: string) => `${n}-0123456789abcdef0123456789abcdef`;
    const googleKey = JSON.stringify({ type: 'service_account', project_id: 'proj', client_email: 'sa@proj.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\\nMII\\n-----END PRIVATE KEY-----\\n' });
    const ini: Record<string, string> = {
      do: `dns_digitalocean_token = ${secret('do')}\n`,
      dnsimple: `dns_dnsimple_token = ${secret('dnsimple')}\n`,
      linode: `dns_linode_key = ${secret('linode')}\ndns_linode_version = 4\n`,
      linode3: `dns_linode_key = ${secret('linode3')}\ndns_linode_version = 3\n`,
      ovh: `dns_ovh_endpoint = ovh-ca\ndns_ovh_application_key = appkey\ndns_ovh_application_secret = ${secret('ovhsecret')}\ndns_ovh_consumer_key = ${secret('ovhconsumer')}\n`,
      gandi: `dns_gandi_token = ${secret('gandi')}\n`,
      nsone: `dns_nsone_api_key = ${secret('nsone')}\n`,
    };
    for (const [n, text] of Object.entries(ini)) await writeFile(path.join(root, `${n}.ini`), text);
    await writeFile(path.join(root, 'google.json'), googleKey);
    await lineage('do', `authenticator = dns-digitalocean\ndns_digitalocean_credentials = ${root}/do.ini\n`);
    await lineage('dnsimple', `authenticator = dns-dnsimple\ndns_dnsimple_credentials = ${root}/dnsimple.ini\n`);
    await lineage('linode', `authenticator = dns-linode\ndns_linode_credentials = ${root}/linode.ini\n`);
    await lineage('linode3', `authenticator = dns-linode\ndns_linode_credentials = ${root}/linode3.ini\n`);
    await lineage('ovh', `authenticator = dns-ovh\ndns_ovh_credentials = ${root}/ovh.ini\n`);
    await lineage('gandi', `authenticator = dns-gandi\ndns_gandi_credentials = ${root}/gandi.ini\n`);
    await lineage('google', `authenticator = dns-google\ndns_google_credentials = ${root}/google.json\n`);
    await lineage('gce', 'authenticator = dns-google\n');
    await lineage('nsone', `authenticator = dns-nsone\ndns_nsone_credentials = ${root}/nsone.ini\n`);
    await lineage('other', 'authenticator = dns-example\n');

    const result = await importCertbot(root, { dryRun: false }, S());
    expect(result.problems).toEqual([]);
    for (const text of [...Object.values(ini), googleKey]) {
      for (const v of text.split('\n').map((l) => l.split(' = ')[1]).filter((v) => v?.includes('0123456789abcdef'))) expect(result.config).not.toContain(v);
    }
    expect(result.config).not.toContain('PRIVATE KEY');
    const file = path.join(root, 'certfleet.yaml');
    await writeFile(file, result.config);
    const config = await loadConfigFile(file);
    const dns = Object.fromEntries(config.certificates.map((c) => [c.name, c.dns]));
    const reveal = (id: string, k: string) => (config.dns.providers[id] as unknown as Record<string, { reveal(): string }>)[k]!.reveal();
    expect(dns).toEqual({ do: 'digitalocean', dnsimple: 'dnsimple', linode: 'linode', linode3: 'todo-linode', ovh: 'ovh', gandi: 'gandi', google: 'google-cloud-dns-2', gce: 'google-cloud-dns', nsone: 'nsone', other: 'todo-dns-example' });
    expect(reveal('digitalocean', 'api_token')).toBe(secret('do'));
    expect(reveal('dnsimple', 'token')).toBe(secret('dnsimple'));
    expect(reveal('linode', 'api_token')).toBe(secret('linode'));
    expect(config.dns.providers.ovh).toMatchObject({ type: 'ovh', endpoint: 'ovh-ca', application_key: 'appkey' });
    expect(reveal('ovh', 'application_secret')).toBe(secret('ovhsecret'));
    expect(reveal('ovh', 'consumer_key')).toBe(secret('ovhconsumer'));
    expect(reveal('gandi', 'personal_access_token')).toBe(secret('gandi'));
    expect(reveal('google-cloud-dns-2', 'service_account_key')).toBe(googleKey);
    expect(config.dns.providers['google-cloud-dns']).toMatchObject({ type: 'google-cloud-dns' });
    expect(config.dns.providers.nsone).toMatchObject({ type: 'lexicon', provider: 'nsone' });
    expect((config.dns.providers.nsone as unknown as { options: Record<string, { reveal(): string }> }).options.auth_token!.reveal()).toBe(secret('nsone'));
    expect(result.config).toMatch(/# TODO: the key is for Linode's API v3 \(dns_linode_version = 3\)/);
    for (const f of result.config.matchAll(/_file: "([^"]+)"/g)) expect((await stat(f[1]!)).mode & 0o777).toBe(0o600);
  });
  it('dns-cloudflare, dns-rfc2136, dns-route53, a ${…} in a hook: check-config accepts it and no secret is printed', async () => {
    await writeFile(path.join(root, 'cf.ini'), `dns_cloudflare_api_token = ${TOKEN}\n`);
    await writeFile(path.join(root, 'tsig.ini'), `dns_rfc2136_server = 192.0.2.1\ndns_rfc2136_name = certbot.\ndns_rfc2136_secret = ${TSIG}\ndns_rfc2136_algorithm = HMAC-SHA512\n`);
    await lineage('cf', `authenticator = dns-cloudflare\ndns_cloudflare_credentials = ${root}/cf.ini\ndns_cloudflare_propagation_seconds = 30\nrenew_hook = cp "\${RENEWED_LINEAGE}/fullchain.pem" /srv\npost_hook = systemctl reload nginx\n`, { top: 'renew_before_expiry = 20 days\n' });
    await lineage('ns', `authenticator = dns-rfc2136\ndns_rfc2136_credentials = ${root}/tsig.ini\nkey_type = rsa\nreuse_key = True\n`, { rsa: true });
    await lineage('r53', 'authenticator = dns-route53\nkey_type = ecdsa\nelliptic_curve = secp384r1\n');

    const before = await treeDigest(root);
    const dry = await importCertbot(root, { dryRun: true }, S());
    expect(await treeDigest(root)).toBe(before);
    expect(dry.changes.join('\n')).toMatch(/certfleet-secrets\/cloudflare-[0-9a-f]{8}\.api_token: would write the secret/);

    const result = await importCertbot(root, { dryRun: false }, S());
    expect(result.problems).toEqual([]);
    expect(result.config).toBe(dry.config);
    for (const secret of [TOKEN, TSIG]) expect(`${result.config}${result.changes.join('\n')}`).not.toContain(secret);
    expect(result.config).toMatch(/# certbot's dns-route53 plugin, as certfleet's native route53 provider: both take AWS's default credentials/);
    expect(result.config).toMatch(/renew_before_expiry \(20 days\) is not mapped/);
    expect(result.config).toMatch(/post_hook "systemctl reload nginx" is not mapped/);
    expect(result.config).toMatch(/renewal conf asks for ecdsa secp384r1 but the current key is ecdsa-p256: the next run reissues with ecdsa-p384/);

    const file = path.join(root, 'certfleet.yaml');
    await writeFile(file, result.config);
    const config = await loadConfigFile(file);
    const byName = Object.fromEntries(config.certificates.map((c) => [c.name, c]));
    expect(config.acme.directory).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(config.dns.providers.cloudflare).toMatchObject({ type: 'cloudflare' });
    expect((config.dns.providers.cloudflare as { api_token: { reveal(): string } }).api_token.reveal()).toBe(TOKEN);
    expect(config.dns.providers.rfc2136).toMatchObject({ type: 'rfc2136', server: '192.0.2.1:53', key_name: 'certbot.', algorithm: 'hmac-sha512' });
    expect(byName.cf).toMatchObject({ dns: 'cloudflare', key_type: 'ecdsa-p256', follow_cnames: false, deploy: [{ hook: { command: ['/bin/sh', '-c', 'cp "${RENEWED_LINEAGE}/fullchain.pem" /srv'] } }] });
    expect(byName.ns).toMatchObject({ dns: 'rfc2136', key_type: 'rsa-2048', reuse_key: true });
    expect(byName.r53).toMatchObject({ dns: 'route53', key_type: 'ecdsa-p384' });
    expect(config.dns.providers.route53).toMatchObject({ type: 'route53', private_zone: false });
    const secretFile = /api_token_file: "([^"]+)"/.exec(result.config)![1]!;
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(secretFile))).mode & 0o777).toBe(0o700);
  });

  it('manual with hooks: an exec provider whose adapter gives the hooks CERTBOT_DOMAIN and CERTBOT_VALIDATION', async () => {
    const log = path.join(root, 'hook.log');
    await lineage('m', `authenticator = manual\nmanual_auth_hook = echo "auth $CERTBOT_DOMAIN $CERTBOT_VALIDATION" >> ${log}\nmanual_cleanup_hook = echo "cleanup $CERTBOT_DOMAIN" >> ${log}\n`);
    const { config } = await importCertbot(root, { dryRun: true }, S());
    const file = path.join(root, 'c.yaml');
    await writeFile(file, config);
    const provider = (await loadConfigFile(file)).dns.providers['certbot-manual'] as { command: string[] };
    // certfleet's exec convention: <command> present|cleanup <fqdn.> <value>, and the same in CERTFLEET_*.
    const env = { PATH: process.env.PATH, CERTFLEET_FQDN: '_acme-challenge.m.example.test.', CERTFLEET_VALUE: 'v4lue' };
    execFileSync(provider.command[0]!, [...provider.command.slice(1), 'present', env.CERTFLEET_FQDN, env.CERTFLEET_VALUE], { env: { ...env, CERTFLEET_ACTION: 'present' } });
    execFileSync(provider.command[0]!, [...provider.command.slice(1), 'cleanup', env.CERTFLEET_FQDN, env.CERTFLEET_VALUE], { env: { ...env, CERTFLEET_ACTION: 'cleanup' } });
    expect(await readFile(log, 'utf8')).toBe('auth m.example.test v4lue\ncleanup m.example.test\n');
  });
});

describe('parseRenewalConf', () => {
  it('reads the top level and [renewalparams], skipping comments and [[webroot_map]]', () => {
    const conf = parseRenewalConf('# renew_before_expiry = 30 days\nversion = 2.1.0\ncert = /etc/letsencrypt/live/a/cert.pem\n\n[renewalparams]\naccount = abc\npref_challs = dns-01,\nrenew_hook = "systemctl reload nginx"\n[[webroot_map]]\na.example = /var/www\n');
    expect(conf).toEqual({ top: { version: '2.1.0', cert: '/etc/letsencrypt/live/a/cert.pem' }, params: { account: 'abc', pref_challs: 'dns-01,', renew_hook: 'systemctl reload nginx' } });
  });
});
