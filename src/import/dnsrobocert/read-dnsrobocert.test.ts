import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../config/load-config.js';
import { parseDnsrobocert } from './read-dnsrobocert.js';

function problems(text: string): string[] {
  try {
    parseDnsrobocert(text, 'drc.yml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

const profile = 'profiles:\n- name: one\n  provider: powerdns\n';

describe('parseDnsrobocert: what DNSroboCert refuses', () => {
  it('an unknown key, at the key, naming the keys allowed there', () => {
    expect(problems('draft: true\nacme:\n  email: a@b.example\n')).toEqual([
      'drc.yml:3:3: acme.email: unknown key "email"; expected email_account, staging, api_version, directory_url, certs_root_path, certs_permissions, crontab_renew',
    ]);
  });
  it('wrong types, a missing required key and a bad enum value, all at once, in file order', () => {
    expect(problems(`${profile}certificates:\n- domains: example.net\n  key_type: ed25519\n- profile: one\n  force_renew: maybe\n`)).toEqual([
      'drc.yml:5:3: certificates[0]: missing required key "profile"',
      'drc.yml:5:12: certificates[0].domains: expected an array, got a string',
      'drc.yml:6:13: certificates[0].key_type: expected one of "rsa", "ecdsa", got "ed25519"',
      'drc.yml:7:3: certificates[1]: missing required key "domains"',
      'drc.yml:8:16: certificates[1].force_renew: expected a boolean, got a string',
    ]);
  });
  it('a certificate naming a missing profile', () => {
    expect(problems(`${profile}certificates:\n- domains: [a.example.net]\n  profile: two\n`)).toEqual([
      'drc.yml:6:12: certificates[0].profile: profile "two" used by certificate a.example.net does not exist; defined: one',
    ]);
  });
  it('two certificates with one lineage (a name equal to another one\'s first domain, without "*.")', () => {
    expect(problems(`${profile}certificates:\n- domains: ["*.a.example.net"]\n  profile: one\n- name: a.example.net\n  domains: [b.example.net]\n  profile: one\n`)).toEqual([
      'drc.yml:7:9: certificates[1].name: certificate with name "a.example.net" is duplicated',
    ]);
  });
  it('a mode above 0777, or a string that is not octal; YAML 1.1 reads an unquoted 0644 as octal, as PyYAML does', () => {
    expect(problems('acme:\n  certs_permissions:\n    files_mode: 644\n    dirs_mode: "0985"\n')).toEqual([
      'drc.yml:3:17: acme.certs_permissions.files_mode: invalid files_mode 644: expected a POSIX mode from 0 to 0777 (octal)',
      'drc.yml:4:16: acme.certs_permissions.dirs_mode: invalid dirs_mode "0985": expected a POSIX mode from 0 to 0777 (octal)',
    ]);
    expect(parseDnsrobocert('acme:\n  certs_permissions:\n    files_mode: 0644\n    dirs_mode: "0o750"\n', 'drc.yml').config.acme?.certs_permissions).toEqual({ files_mode: 0o644, dirs_mode: '0o750' });
  });
  it('a domain, email or URL its patterns refuse', () => {
    expect(problems(`acme:\n  email_account: Admin@Example.net\n  directory_url: ftp://ca.example\n${profile}certificates:\n- domains: [a..example.net]\n  profile: one\n`)).toEqual([
      'drc.yml:2:18: acme.email_account: expected an email address (DNSroboCert accepts lower-case letters only), got "Admin@Example.net"',
      'drc.yml:3:18: acme.directory_url: expected an http(s) URL, got "ftp://ca.example"',
      'drc.yml:8:13: certificates[0].domains[0]: expected a domain name, got "a..example.net"',
    ]);
  });
  it('an empty file, as DNSroboCert refuses it', () => {
    expect(problems('')).toEqual(['drc.yml:1:1: the DNSroboCert config is empty (DNSroboCert refuses it)']);
    expect(problems('{}\n')).toEqual(['drc.yml:1:1: the DNSroboCert config is empty (DNSroboCert refuses it)']);
  });
  it('two profiles with one name (its documentation requires unique names), and a duplicate YAML key', () => {
    expect(problems('profiles:\n- name: one\n  provider: a\n- name: one\n  provider: b\n')).toEqual(['drc.yml:4:9: profiles[1].name: duplicate profile name "one"']);
    expect(problems('draft: true\ndraft: false\n')[0]).toMatch(/^drc\.yml:2:1: .*unique/);
  });
});

describe('parseDnsrobocert: what DNSroboCert accepts', () => {
  it('${VAR} where a number or a boolean is expected: DNSroboCert substitutes before it validates', () => {
    const { config } = parseDnsrobocert(`draft: \${DRAFT}\n${profile}  sleep_time: \${SLEEP}\n`, 'drc.yml');
    expect(config).toEqual({ draft: '${DRAFT}', profiles: [{ name: 'one', provider: 'powerdns', sleep_time: '${SLEEP}' }] });
  });
  it('unknown keys in an autorestart item: its schema closes the list, not the items', () => {
    expect(problems(`${profile}certificates:\n- domains: [a.example.net]\n  profile: one\n  autorestart:\n  - containers: [web]\n    extra: 1\n`)).toEqual([]);
  });
  it('an integer sleep_time is a number; yes is a boolean (YAML 1.1)', () => {
    expect(problems(`${profile}  sleep_time: 10\n  dynamic_zone_resolution: yes\n`)).toEqual([]);
  });
});
