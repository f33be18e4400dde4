import { configProblems } from '../../test/support/config-problems.js';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';

/** The keys DNSroboCert users bring (issue 17): each parsed through the loader, as check-config does. */
const base = `acme:
  directory: https://127.0.0.1:14000/dir
store:
  path: /tmp/x
dns:
  providers:
    home:
      type: powerdns
      api_url: http://127.0.0.1:8081
      api_key: k
certificates:
  - domains: [example.test]
    dns: home
`;

const problems = (text: string) => configProblems(text, { env: {} });

describe('top-level x-* keys', () => {
  it('are ignored, and their anchors work through merge keys and plain aliases', () => {
    const text = `x-pdns: &pdns
  type: powerdns
  api_url: http://127.0.0.1:8081
  api_key: k
  ttl: 30
x-deploy: &deploy
  - hook: [/bin/true]
x-notes: anything at all
${base.replace(/dns:\n {2}providers:\n[\s\S]*?certificates:/, `dns:
  providers:
    home:
      <<: *pdns
      ttl: 90
    other: *pdns
certificates:`)}    deploy: *deploy
`;
    const c = parseConfig(text, 'c.yaml', { env: {} });
    expect(c.dns.providers.home).toMatchObject({ type: 'powerdns', api_url: 'http://127.0.0.1:8081', ttl: 90 });
    expect(c.dns.providers.other).toMatchObject({ type: 'powerdns', ttl: 30 });
    expect(c.certificates[0]!.deploy).toEqual([{ hook: expect.objectContaining({ command: ['/bin/true'] }) }]);
    expect(Object.keys(c).some((k) => k.startsWith('x-'))).toBe(false);
  });

  it('a secret in an anchor keeps its source through the alias (a file or the environment is not "inline" for production mode)', () => {
    const text = `x-pdns: &pdns
  type: powerdns
  api_url: http://127.0.0.1:8081
  api_key_file: pdns.key
x-env: &env
  type: powerdns
  api_url: http://127.0.0.1:8081
  api_key: \${CERTFLEET_KEY}
${base.replace(/dns:\n {2}providers:\n[\s\S]*?certificates:/, `dns:
  providers:
    home: *pdns
    merged: { <<: *pdns, ttl: 30 }
    overridden: { <<: *pdns, api_key: inline-value }
    fromenv: { <<: *env }
certificates:`)}`;
    const c = parseConfig(text, '/etc/cf/c.yaml', { env: { CERTFLEET_KEY: 'from-env' }, readSecretFile: () => 'from-file' });
    const key = (id: string) => { const p = c.dns.providers[id]!; return p.type === 'powerdns' ? [p.api_key.reveal(), p.api_key.source] : []; };
    expect(key('home')).toEqual(['from-file', { kind: 'file', file: '/etc/cf/pdns.key' }]);
    expect(key('merged')).toEqual(['from-file', { kind: 'file', file: '/etc/cf/pdns.key' }]);
    expect(key('overridden')).toEqual(['inline-value', { kind: 'inline' }]);
    expect(key('fromenv')).toEqual(['from-env', { kind: 'env' }]);
  });

  it('only at the top level and only with the x- prefix: other unknown keys stay errors', () => {
    expect(problems(`${base}xdefaults: {}\n`)).toEqual([expect.stringMatching(/^\d+:1 \(document\): unknown key "xdefaults"/)]);
    expect(problems(base.replace('store:\n', 'store:\n  x-note: 1\n'))).toEqual([expect.stringMatching(/store: unknown key "x-note"/)]);
  });
});

describe('integer uid and gid', () => {
  it('permissions and copy take a numeric user and group as well as names', () => {
    const c = parseConfig(`${base}    deploy:
      - permissions: { user: 1000, group: 33, files_mode: "0640" }
      - copy: { fullchain: /tmp/fc.pem, user: www-data, group: 0 }
`, 'c.yaml', { env: {} });
    expect(c.certificates[0]!.deploy).toEqual([
      { permissions: expect.objectContaining({ user: 1000, group: 33 }) },
      { copy: expect.objectContaining({ user: 'www-data', group: 0 }) },
    ]);
  });

  it('a negative or fractional id is refused where it is written', () => {
    expect(problems(`${base}    deploy:\n      - permissions: { user: -1 }\n`)).toEqual([expect.stringMatching(/^15:30 certificates\[0\]\.deploy\[0\]\.permissions\.user: /)]);
    expect(problems(`${base}    deploy:\n      - copy: { fullchain: /tmp/x, group: 1.5 }\n`)).toEqual([expect.stringMatching(/^15:\d+ certificates\[0\]\.deploy\[0\]: copy\.group: expected a name, or a numeric id/)]);
  });
});

describe('containers.socket: one socket or a list', () => {
  it('a string or a list, each relative path resolved against the config file, duplicates dropped', () => {
    const parse = (v: string) => parseConfig(`${base}containers: { socket: ${v} }\n`, '/etc/cf/c.yaml', { env: {} }).containers.socket;
    expect(parse('run/docker.sock')).toEqual(['/etc/cf/run/docker.sock']);
    expect(parse('[/var/run/docker.sock, "unix://podman.sock", "tcp://proxy:2375", /var/run/docker.sock]'))
      .toEqual(['/var/run/docker.sock', 'unix:///etc/cf/podman.sock', 'tcp://proxy:2375']);
    expect(parseConfig(base, 'c.yaml', { env: {} }).containers.socket).toEqual(['/var/run/docker.sock']);
  });

  it('an empty list or a wrong type is refused at the key', () => {
    expect(problems(`${base}containers: { socket: [] }\n`)).toEqual([expect.stringMatching(/^14:\d+ containers\.socket: expected a socket .* or a list of them/)]);
    expect(problems(`${base}containers: { socket: 2375 }\n`)).toEqual([expect.stringMatching(/^14:\d+ containers\.socket: expected a socket/)]);
  });
});

describe('pfx, draft and force_renew', () => {
  it('pfx takes no passphrase ({} or { legacy: true }); draft and force_renew default to false', () => {
    const c = parseConfig(`draft: true\n${base}    force_renew: true\n    deploy:\n      - pfx: {}\n      - pfx: { legacy: true }\n`, 'c.yaml', { env: {} });
    expect(c.draft).toBe(true);
    expect(c.certificates[0]!.force_renew).toBe(true);
    expect(c.certificates[0]!.deploy).toEqual([{ pfx: expect.objectContaining({ legacy: false }) }, { pfx: expect.objectContaining({ legacy: true }) }]);
    expect(c.certificates[0]!.deploy.every((d) => 'pfx' in d && d.pfx.passphrase === undefined)).toBe(true);
    const plain = parseConfig(base, 'c.yaml', { env: {} });
    expect([plain.draft, plain.certificates[0]!.force_renew]).toEqual([false, false]);
    expect(problems(`draft: "yes"\n${base}`)).toEqual([expect.stringMatching(/^1:8 draft: /)]);
  });
});
