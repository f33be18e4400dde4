import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, formatProblem, parseConfig } from '../../config/load-config.js';
import { importParsed, type ImportResult } from './import-dnsrobocert.js';
import { parseDnsrobocert } from './read-dnsrobocert.js';

const translate = (text: string): ImportResult => importParsed(parseDnsrobocert(text, 'drc.yml'));
/** The output with each wrapped comment on one line, so a test can match a sentence. */
const unwrapped = (text: string) => translate(text).yaml.replace(/(?<=# [^\n]*)\n *# (?!- |Not translated, or)/g, ' ');
/** The output as certfleet's own loader reads it: what check-config validates. */
const load = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfig(translate(text).yaml, 'certfleet.yaml', { env });
const raw = (text: string) => parse(translate(text).yaml) as { certificates: { deploy: Record<string, unknown>[] }[] } & Record<string, unknown>;

const pdns = `profiles:
- name: home
  provider: powerdns
  provider_options:
    auth_token: \${PDNS_KEY}
    pdns_server: http://127.0.0.1:8081/api/v1
    pdns_server_id: localhost
`;
const env = { PDNS_KEY: 'k3y' };
const cert = (extra = '') => `${pdns}certificates:\n- domains: ["*.example.net", example.net]\n  profile: home\n${extra}`;

function problems(text: string): string[] {
  try {
    translate(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

describe('import dnsrobocert: behaviour kept', () => {
  it('a missing key_type is rsa-2048 and follow_cnames is false, both written out with a comment', () => {
    const yaml = unwrapped(cert());
    expect(yaml).toMatch(/# DNSroboCert's default \(certbot's RSA 2048\); certfleet's own default is ecdsa-p256\.\n\s+key_type: rsa-2048/);
    expect(yaml).toMatch(/certfleet's own default is true\.\n\s+follow_cnames: false/);
    expect(load(cert(), env).certificates[0]).toMatchObject({ name: 'example.net', key_type: 'rsa-2048', follow_cnames: false });
  });
  it('key_type ecdsa is ecdsa-p256; rsa is rsa-2048; follow_cnames and reuse_key as given', () => {
    expect(load(cert('  key_type: ecdsa\n  follow_cnames: true\n  reuse_key: true\n'), env).certificates[0]).toMatchObject({ key_type: 'ecdsa-p256', follow_cnames: true, reuse_key: true });
    expect(load(cert('  key_type: rsa\n'), env).certificates[0]).toMatchObject({ key_type: 'rsa-2048' });
  });
  it('deploy_hook runs through /bin/sh -c, as DNSroboCert ran it with shell=True, and says so', () => {
    const hook = 'python /srv/deploy.py && echo "done" > /tmp/x';
    const { yaml } = translate(cert(`  deploy_hook: '${hook}'\n`));
    expect(yaml).toMatch(/# DNSroboCert ran deploy_hook through a shell \(shell=True\)/);
    expect(yaml).toContain('- hook: [ /bin/sh, -c, "python /srv/deploy.py && echo \\"done\\" > /tmp/x" ]');
    const deploy = load(cert(`  deploy_hook: '${hook}'\n`), env).certificates[0]!.deploy;
    expect(deploy.at(-1)).toMatchObject({ hook: { command: ['/bin/sh', '-c', hook] } });
  });
  it("deploy actions in DNSroboCert's order: pfx, permissions, Docker restarts and Swarm updates, Podman restarts, container commands, the hook", () => {
    const text = cert(`  deploy_hook: ./deploy.sh
  autocmd:
  - cmd: [nginx, -s, reload]
    containers: [web]
  autorestart:
  - containers: [c1]
    podman_containers: [p1]
  - swarm_services: [s1]
  pfx:
    export: true
    passphrase: \${PFX_PASS}
`);
    expect(raw(text).certificates[0]!.deploy).toEqual([
      { pfx: { passphrase: '${PFX_PASS}' } },
      { permissions: { files_mode: '0640', dirs_mode: '0750' } },
      { container: { restart: ['c1'] } },
      { container: { services: ['s1'] } },
      { container: { restart: ['p1'] } },
      { container: { exec: { containers: ['web'], command: ['nginx', '-s', 'reload'] } } },
      { hook: ['/bin/sh', '-c', './deploy.sh'] },
    ]);
    expect(raw(text).containers).toEqual({ socket: ['/var/run/docker.sock', '/run/podman/podman.sock'] });
  });
  it('without Podman, the same order passes certfleet\'s loader as it is', () => {
    const text = cert('  deploy_hook: ./deploy.sh\n  autocmd:\n  - cmd: reload now\n    containers: [web]\n  autorestart:\n  - containers: [c1]\n  pfx:\n    export: true\n    passphrase: secret\n');
    const c = load(text, env);
    expect(c.certificates[0]!.deploy.map((d) => Object.keys(d)[0])).toEqual(['pfx', 'permissions', 'container', 'container', 'hook']);
    expect(c.containers.socket).toEqual(['/var/run/docker.sock']); // the loader gives a list (several engines at once)
  });
  it('an autocmd string: split into the same words when it has no shell syntax, through /bin/sh in the container when it has', () => {
    const deploy = raw(cert('  autocmd:\n  - cmd: "nginx -s \'reload now\'"\n    containers: [a]\n  - cmd: kill -HUP $(cat /run/x.pid)\n    containers: [b]\n')).certificates[0]!.deploy;
    expect(deploy.slice(1)).toEqual([
      { container: { exec: { containers: ['a'], command: ['nginx', '-s', 'reload now'] } } },
      { container: { exec: { containers: ['b'], command: ['/bin/sh', '-c', 'kill -HUP $(cat /run/x.pid)'] } } },
    ]);
  });
  it("certs_permissions become a permissions action on every certificate, modes as quoted octal; DNSroboCert's defaults without it", () => {
    const text = `acme:\n  certs_permissions:\n    files_mode: 0644\n    user: www-data\n    group: www-data\n${cert()}`;
    expect(load(text, env).certificates[0]!.deploy[0]).toMatchObject({ permissions: { files_mode: 0o644, dirs_mode: 0o750, user: 'www-data', group: 'www-data' } });
    expect(load(cert(), env).certificates[0]!.deploy[0]).toMatchObject({ permissions: { files_mode: 0o640, dirs_mode: 0o750 } });
  });
  it('${VAR} references are kept and env_prefixes admits exactly them, so they still resolve', () => {
    const text = cert('  name: ${CERT_NAME}\n');
    expect(raw(text).env_prefixes).toEqual(['CERTFLEET_', 'CERT_NAME', 'PDNS_KEY']);
    const c = load(text, { ...env, CERT_NAME: 'web' });
    expect(c.certificates[0]!.name).toBe('web');
    expect((c.dns.providers.home as { api_key: { reveal(): string } }).api_key.reveal()).toBe('k3y');
  });
  it('staging is letsencrypt-staging, directory_url is kept, email_account is acme.email', () => {
    expect(load(`acme:\n  staging: true\n  email_account: ops@example.net\n${cert()}`, env).acme).toMatchObject({ directory: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'ops@example.net' });
    expect(load(`acme:\n  directory_url: https://ca.example.net/dir\n  staging: true\n${cert()}`, env).acme.directory).toBe('https://ca.example.net/dir');
    expect(load(cert(), env).acme.directory).toBe('https://acme-v02.api.letsencrypt.org/directory');
  });
  it("sleep_time and max_checks become a propagation timeout: DNSroboCert's whole budget, never below certfleet's default", () => {
    const withTimes = (times: string) => pdns + times;
    expect((load(withTimes('  sleep_time: 45\n  max_checks: 5\n'), env).dns.providers.home as { propagation: { timeout: number } }).propagation.timeout).toBe(225_000);
    expect((load(withTimes('  sleep_time: 10\n'), env).dns.providers.home as { propagation: { timeout: number } }).propagation.timeout).toBe(120_000);
    expect(unwrapped(withTimes('  sleep_time: 45\n  max_checks: 5\n'))).toMatch(/certfleet polls every authoritative server instead/);
  });
});

describe('import dnsrobocert: providers', () => {
  it('powerdns is native: auth_token -> api_key, pdns_server -> api_url (without the /api/v1 certfleet adds), pdns_server_id -> server_id', () => {
    expect(load(cert(), env).dns.providers.home).toMatchObject({ type: 'powerdns', api_url: 'http://127.0.0.1:8081', server_id: 'localhost', ttl: 60 });
  });
  it('cloudflare with an API token is native; with auth_username (the global key) it stays on lexicon, with the reason', () => {
    const cf = (opts: string) => `profiles:\n- name: cf\n  provider: cloudflare\n  ttl: 300\n  provider_options:\n${opts}`;
    expect(load(cf('    auth_token: tok\n')).dns.providers.cf).toMatchObject({ type: 'cloudflare', ttl: 300 });
    const global = translate(cf('    auth_username: me@example.net\n    auth_token: key\n'));
    expect(parse(global.yaml).dns.providers.cf).toEqual({ type: 'lexicon', provider: 'cloudflare', auth_username: 'me@example.net', auth_token: 'key', ttl: 300 });
    expect(unwrapped(cf('    auth_username: me@example.net\n    auth_token: key\n'))).toMatch(/# Kept on dns-lexicon's cloudflare provider: auth_username \+ auth_token is Cloudflare's global API key/);
  });
  it('a native provider missing a required option stays on lexicon (which may read it from LEXICON_* variables)', () => {
    const out = translate('profiles:\n- name: p\n  provider: powerdns\n  provider_options:\n    pdns_server: http://ns.example.net:8081\n');
    expect(parse(out.yaml).dns.providers.p).toMatchObject({ type: 'lexicon', provider: 'powerdns', pdns_server: 'http://ns.example.net:8081' });
    expect(unwrapped('profiles:\n- name: p\n  provider: powerdns\n  provider_options:\n    pdns_server: http://ns.example.net:8081\n')).toMatch(/auth_token is not in provider_options \(lexicon may read it from LEXICON_POWERDNS_AUTH_TOKEN\)/);
  });
  it('any other provider is type lexicon with its options beside provider, as they are', () => {
    expect(parse(translate('profiles:\n- name: he\n  provider: henet\n  provider_options:\n    auth_username: U\n  ttl: 30\n').yaml).dns.providers.he).toEqual({ type: 'lexicon', provider: 'henet', auth_username: 'U', ttl: 30 });
  });
});

describe('import dnsrobocert: reported, not translated', () => {
  it('crontab_renew, api_version 1, certs_root_path, dynamic_zone_resolution and delegated_subdomain are notes with their location', () => {
    const { notes, yaml } = translate(`acme:\n  api_version: 1\n  crontab_renew: "0 3 * * *"\n  certs_root_path: /certs\n${pdns}  dynamic_zone_resolution: false\n  delegated_subdomain: sub.example.net\napi: {}\n`);
    expect(notes.map((n) => `${n.line}:${n.column} ${n.path}`)).toEqual([
      '1:1 acme', '2:3 acme.api_version', '3:3 acme.crontab_renew', '4:3 acme.certs_root_path', '12:3 profiles[0].dynamic_zone_resolution', '13:3 profiles[0].delegated_subdomain', '14:1 api',
    ]);
    expect(notes[2]!.message).toMatch(/the daemon \(certfleet run\) schedules each renewal itself/);
    expect(yaml).toMatch(/# Not translated, or not the same:\n(# - .*\n)*# - acme\.api_version \(line 2\): ACME v1 is gone/);
  });
  it('draft and force_renew are translated to their certfleet keys (issue 17), only when true', () => {
    expect(raw(`draft: true\n${cert('  force_renew: true\n')}`)).toMatchObject({ draft: true, certificates: [{ force_renew: true }] });
    expect(raw(`draft: false\n${cert('  force_renew: false\n')}`)).not.toHaveProperty('draft');
    expect(raw(cert('  force_renew: false\n')).certificates[0]).not.toHaveProperty('force_renew');
  });
});

describe('import dnsrobocert: what cannot be translated, with its location', () => {
  it('an http directory, a name certfleet cannot use as a directory, a key type from the environment', () => {
    expect(problems(`acme:\n  directory_url: http://ca.example.net/dir\n${cert('  name: "a b"\n')}`)).toEqual([
      'drc.yml:2:18: acme.directory_url: certfleet talks to an ACME server over https only, got "http://ca.example.net/dir"',
      'drc.yml:13:9: certificates[0].name: certfleet cannot use the certificate name "a b": expected letters, digits, ".", "_" or "-" (it is the directory live/<name>/)',
    ]);
    expect(problems('profiles:\n- name: ${P}\n  provider: x\n  provider_options:\n    type: A\n    token: ${A-B}\n')).toEqual([
      'drc.yml:1:1: ${A-B}: certfleet reads variables named with letters, digits and "_" only',
      'drc.yml:2:9: profiles[0].name: a profile name from the environment cannot be translated: it becomes the key of dns.providers, which is never substituted',
      'drc.yml:5:11: profiles[0].provider_options.type: option "type" cannot be translated: a certfleet provider entry uses type itself (beside the provider\'s options)',
    ]);
    expect(problems(cert('  key_type: ${KT}\n'))).toEqual([
      'drc.yml:11:13: certificates[0].key_type: key_type from the environment cannot be translated: certfleet names key types rsa-2048 and ecdsa-p256; write the type in the file',
    ]);
  });
});
