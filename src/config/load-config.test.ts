import { configProblems, MINIMAL_CONFIG } from '../../test/support/config-problems.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inspect } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError, parseConfig } from './load-config.js';
import type { Config } from './schema.js';
import { collectSecrets, Secret } from './secret.js';

/** The `home` provider of a test config, which is PowerDNS. */
function powerdns(c: Config) {
  const p = c.dns.providers.home!;
  if (p.type !== 'powerdns') throw new Error(`home is ${p.type}`);
  return p;
}

const good = MINIMAL_CONFIG;

const problems = configProblems;

describe('parseConfig', () => {
  it('fills defaults and derives names', () => {
    const c = parseConfig(good, 'c.yaml');
    expect(c.certificates[0]).toMatchObject({ key_type: 'ecdsa-p256', reuse_key: false, domains: ['example.test', '*.example.test'] });
    expect(c.dns.providers.home).toMatchObject({ ttl: 60, server_id: 'localhost', propagation: { timeout: 120_000 } });
    expect(parseConfig(good.replace('https://127.0.0.1:14000/dir', 'letsencrypt-staging'), 'c').acme.directory).toMatch(/acme-staging-v02/);
  });

  it('reports every problem with line, column and path, cross-field checks included', () => {
    const bad = good
      .replace('    dns: home', '    dns: nowhere\n    key_type: ed25519\n    colour: blue')
      .replace('example.test, "*.example.test"', 'example.test, "www.*.example.test"');
    expect(problems(bad)).toEqual([
      expect.stringMatching(/^13:29 certificates\[0\]\.domains\[1\]: invalid domain name .*leftmost/),
      '14:10 certificates[0].dns: unknown DNS provider "nowhere"; defined: home',
      expect.stringMatching(/^15:15 certificates\[0\]\.key_type: /),
      expect.stringMatching(/^16:5 certificates\[0\]: unknown key "colour"/),
    ]);
    expect(problems(good.replace('dns: home', 'dns: nowhere'))).toEqual([expect.stringMatching(/^14:10 certificates\[0\]\.dns: unknown DNS provider "nowhere"; defined: home/)]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('acme: [\n')[0]).toMatch(/^\d+:\d+ : /);
  });

  it('rejects duplicate names and names with path separators', () => {
    const two = `${good}  - name: example.test\n    domains: [a.example.test]\n    dns: home\n  - name: ../etc\n    domains: [b.example.test]\n    dns: home\n`;
    const p = problems(two);
    expect(p).toContainEqual(expect.stringMatching(/certificates\[1\]\.name: duplicate certificate name "example.test"/));
    expect(p).toContainEqual(expect.stringMatching(/certificates\[2\]\.name: .*no path separators/));
  });
});

describe('environment substitution and secrets', () => {
  const withEnv = good.replace('api_key: k', 'api_key: ${CERTFLEET_PDNS_KEY}').replace('      api_url: http://127.0.0.1:8081', '      api_url: http://127.0.0.1:8081\n      ttl: ${CERTFLEET_TTL:-30}');

  it('substitutes allowed variables with their types, and makes secrets Secret', () => {
    const c = parseConfig(withEnv, 'c.yaml', { env: { CERTFLEET_PDNS_KEY: 's3cr3t-key', CERTFLEET_TTL: '90' } });
    const home = powerdns(c);
    expect(home.ttl).toBe(90);
    expect(home.api_key).toBeInstanceOf(Secret);
    expect(home.api_key.reveal()).toBe('s3cr3t-key');
    expect(parseConfig(withEnv, 'c.yaml', { env: { CERTFLEET_PDNS_KEY: 'x' } }).dns.providers.home!.ttl).toBe(30);
    // A quoted value stays a string.
    expect(problems(withEnv.replace('${CERTFLEET_TTL:-30}', '"${CERTFLEET_TTL:-30}"'), { env: { CERTFLEET_PDNS_KEY: 'x' } })).toEqual([expect.stringMatching(/^11:12 dns\.providers\.home\.ttl: .*expected number/)]);
  });

  it('a Secret never prints itself', () => {
    const c = parseConfig(withEnv, 'c.yaml', { env: { CERTFLEET_PDNS_KEY: 's3cr3t-key' } });
    const printed = [JSON.stringify(c), inspect(c, { depth: 10 }), String(powerdns(c).api_key), `${powerdns(c).api_key as unknown as string}`];
    for (const text of printed) expect(text).not.toContain('s3cr3t-key');
    expect([...collectSecrets(c)]).toEqual(['s3cr3t-key']);
  });

  it('reports missing and disallowed variables at their value', () => {
    const bad = withEnv.replace('email: admin@example.test', 'email: ${HOME}');
    expect(problems(bad, { env: {} })).toEqual([
      expect.stringMatching(/^3:10 acme\.email: variable HOME is not allowed/),
      expect.stringMatching(/^12:16 dns\.providers\.home\.api_key: variable CERTFLEET_PDNS_KEY is not set/),
    ]);
    expect(problems(`env_prefixes: [APP_]\n${bad.replace('${HOME}', '${APP_MAIL:?give APP_MAIL}')}`, { env: { CERTFLEET_PDNS_KEY: 'k' } })).toEqual([
      expect.stringMatching(/^4:10 acme\.email: APP_MAIL: give APP_MAIL/),
      expect.stringMatching(/^12:12 dns\.providers\.home\.ttl: variable CERTFLEET_TTL is not allowed/),
      expect.stringMatching(/^13:16 dns\.providers\.home\.api_key: variable CERTFLEET_PDNS_KEY is not allowed: names must start with "APP_"/),
    ]);
  });

  it('reads <option>_file secrets, relative to the config file, and reports unreadable ones', () => {
    const files: Record<string, string> = { '/etc/cf/pdns.key': 'from-file\n' };
    const readSecretFile = (f: string) => {
      const v = files[f];
      if (v === undefined) throw Object.assign(new Error(`ENOENT: no such file ${f}`), { code: 'ENOENT' });
      return v;
    };
    const text = good.replace('api_key: k', 'api_key_file: pdns.key');
    const c = parseConfig(text, '/etc/cf/c.yaml', { readSecretFile });
    expect(powerdns(c).api_key.reveal()).toBe('from-file');
    expect(problems(text.replace('pdns.key', 'missing.key'), { readSecretFile })).toEqual([expect.stringMatching(/^11:21 dns\.providers\.home\.api_key_file: cannot read secret file "missing.key": ENOENT/)]);
    expect(problems(good.replace('api_key: k', 'api_key: k\n      api_key_file: pdns.key'), { readSecretFile })).toEqual([expect.stringMatching(/^12:7 dns\.providers\.home\.api_key_file: give either api_key or api_key_file/)]);
  });
});

describe('where each secret came from', () => {
  it('inline, ${VAR} or <option>_file (absolute), down to the accounts of a JSON file', () => {
    const text = `${good.replace('api_key: k', 'api_key: ${CERTFLEET_PDNS_KEY}')}    deploy:
      - pfx: { passphrase: literal-pass }
      - webhook: { url: https://h.example.com/x, secret_file: hmac.key }
`.replace('dns:\n  providers:\n', 'dns:\n  providers:\n    dyn:\n      type: acme-dns\n      api_url: https://auth.example.com\n      accounts_file: accounts.json\n');
    const files: Record<string, string> = { '/etc/cf/hmac.key': 'h'.repeat(40), '/etc/cf/accounts.json': JSON.stringify({ 'example.test': { username: 'u', password: 'p'.repeat(40), subdomain: 's' } }) };
    const c = parseConfig(text, '/etc/cf/c.yaml', { env: { CERTFLEET_PDNS_KEY: 'from-env' }, readSecretFile: (f) => files[f]! });
    const [pfx, hook] = c.certificates[0]!.deploy;
    expect(powerdns(c).api_key.source).toEqual({ kind: 'env' });
    expect(pfx && 'pfx' in pfx && pfx.pfx.passphrase?.source).toEqual({ kind: 'inline' });
    expect(hook && 'webhook' in hook && hook.webhook.secret?.source).toEqual({ kind: 'file', file: '/etc/cf/hmac.key' });
    const dyn = c.dns.providers.dyn!;
    expect(dyn.type === 'acme-dns' && dyn.accounts['example.test']!.password.source).toEqual({ kind: 'file', file: '/etc/cf/accounts.json' });
  });
});

describe('relative paths', () => {
  it('resolve against the config file\'s directory, not the working directory', () => {
    const text = good.replace('  path: /tmp/x', '  path: store\n  encryption_key_file: secrets/store.key')
      .replace('  email: admin@example.test', '  email: admin@example.test\n  ca_bundle: ../ca.pem')
      .replace('      api_key: k', '      api_key: k\n      ca_bundle: pdns-ca.pem')
      + '    deploy:\n      - copy: { fullchain: out/fullchain.pem, privkey: /abs/key.pem }\n      - hook: { command: [./reload.sh], cwd: hooks }\ncontainers: { socket: run/docker.sock }\n';
    const c = parseConfig(text, '/etc/cf/c.yaml');
    expect(c.store).toEqual({ type: 'directory', path: '/etc/cf/store', encryption_key_file: '/etc/cf/secrets/store.key' });
    expect(c.acme.ca_bundle).toBe('/etc/ca.pem');
    expect(powerdns(c).ca_bundle).toBe('/etc/cf/pdns-ca.pem');
    const [copy, hook] = c.certificates[0]!.deploy;
    expect(copy && 'copy' in copy && copy.copy).toMatchObject({ fullchain: '/etc/cf/out/fullchain.pem', privkey: '/abs/key.pem' });
    // The program stays as written (PATH, or relative to cwd); the cwd is a path.
    expect(hook && 'hook' in hook && hook.hook).toMatchObject({ command: ['./reload.sh'], cwd: '/etc/cf/hooks' });
    expect(c.containers.socket).toEqual(['/etc/cf/run/docker.sock']);
    expect(parseConfig(`${good}containers: { socket: "unix://s.sock" }\n`, '/etc/cf/c.yaml').containers.socket).toEqual(['unix:///etc/cf/s.sock']);
    expect(parseConfig(`${good}containers: { socket: "tcp://proxy:2375" }\n`, '/etc/cf/c.yaml').containers.socket).toEqual(['tcp://proxy:2375']);
  });
});

describe('parseConfig on random input', () => {
  // Any YAML document: the loader either returns a config or throws ConfigError whose problems all have a location.
  const yamlValue = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('acme', 'dns', 'providers', 'certificates', 'domains', 'type', 'api_key_file', 'name')), tie('value'), { maxKeys: 4 })),
  })).value;

  it('never crashes, and every problem names a position and a path', () => {
    fc.assert(fc.property(yamlValue, (doc) => {
      try {
        parseConfig(stringify(doc), 'r.yaml', { env: {}, readSecretFile: () => 'x' });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        for (const p of (err as ConfigError).problems) {
          expect(p.line).toBeGreaterThan(0);
          expect(p.file).toBe('r.yaml');
          expect(p.message.length).toBeGreaterThan(0);
          // Valid YAML, so every problem is about a field (the whole document counts as one).
          expect(p.path.length).toBeGreaterThan(0);
        }
      }
    }), { numRuns: 300 });
  });

  it('a merge key whose value is not a map is one problem with its place, not a crash (found by the property above)', () => {
    expect(problems('acme:\n  <<: ""\n')).toEqual([expect.stringMatching(/^2:3 acme: <<: Merge sources must be maps or map aliases/)]);
  });

  it('a key named __proto__ beside an unknown key is a problem like any other, not a crash (found by the property above)', () => {
    expect(() => parseConfig('"": {}\n__proto__: ""\n', 'r.yaml', { env: {} })).toThrow(ConfigError);
  });

  it('a substitution error in a document that is one scalar names the document (found by the property above)', () => {
    expect(problems('"${"\n')).toEqual(['1:1 (document): unterminated "${" at character 1']);
  });

  it('mutating one field of a valid config gives a problem that names that field', () => {
    const fields = ['acme.email', 'dns.providers.home.ttl', 'dns.providers.home.api_url', 'certificates.0.key_type', 'certificates.0.domains', 'certificates.0.dns', 'store.path'];
    fc.assert(fc.property(fc.constantFrom(...fields), fc.constantFrom(-1, true, 'not valid !', [], { x: 1 }), (field, value) => {
      const doc = parseDocumentObject();
      const segs = field.split('.');
      let node = doc;
      for (const s of segs.slice(0, -1)) node = node[s] as Record<string, unknown>;
      node[segs.at(-1)!] = value;
      let thrown: unknown;
      try {
        parseConfig(stringify(doc), 'm.yaml');
      } catch (err) {
        thrown = err;
      }
      // store.path accepts any string: only non-strings must fail there.
      if (field === 'store.path' && typeof value === 'string') return;
      expect(thrown).toBeInstanceOf(ConfigError);
      const expected = segs.map((s) => (/^\d+$/.test(s) ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
      expect((thrown as ConfigError).problems.map((p) => p.path).some((p) => p.startsWith(expected))).toBe(true);
    }), { numRuns: 100 });
  });
});

function parseDocumentObject(): Record<string, unknown> {
  return {
    acme: { directory: 'https://127.0.0.1:14000/dir', email: 'admin@example.test' },
    store: { path: '/tmp/x' },
    dns: { providers: { home: { type: 'powerdns', api_url: 'http://127.0.0.1:8081', api_key: 'k', ttl: 60 } } },
    certificates: [{ domains: ['example.test'], dns: 'home', key_type: 'ecdsa-p256' }],
  };
}

describe('bad input: one clear problem each, with its location', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown key', good.replace('  email:', '  emial: x\n  email:'), /^3:3 acme: unknown key "emial"/],
    ['wrong type', good.replace('dns: home', 'dns: 42'), /^14:10 certificates\[0\]\.dns: expected a provider id, or a map of domains/],
    ['bad duration', good.replace('      api_key: k', '      api_key: k\n      propagation: { timeout: 2 minutes }'), /^12:31 dns\.providers\.home\.propagation\.timeout: expected a duration like 90s, 2m, 1h or 7d, got "2 minutes"/],
    ['unknown provider', good.replace('dns: home', 'dns: away'), /^14:10 certificates\[0\]\.dns: unknown DNS provider "away"; defined: home/],
    ['path separator in name', good.replace('  - domains', '  - name: a/b\n    domains'), /^13:11 certificates\[0\]\.name: expected letters, digits/],
    ['dot-dot in name', good.replace('  - domains', '  - name: a..b\n    domains'), /^13:11 certificates\[0\]\.name: must not contain "\.\."/],
    ['variable outside the allow-list', good.replace('api_key: k', 'api_key: ${PATH}'), /^11:16 dns\.providers\.home\.api_key: variable PATH is not allowed/],
    ['missing variable', good.replace('api_key: k', 'api_key: ${CERTFLEET_NOT_SET}'), /^11:16 dns\.providers\.home\.api_key: variable CERTFLEET_NOT_SET is not set/],
    ['YAML syntax', good.replace('  email: admin@example.test', '  email: [admin'), /^\d+:\d+ : /],
    ['duplicate key', good.replace('  email: admin@example.test', '  email: a@example.test\n  email: b@example.test'), /^4:3 : Map keys must be unique/],
  ];
  it.each(cases)('%s', (_label, text, expected) => {
    const p = problems(text, { env: {} });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(expected);
  });
});

describe('messages that say what was meant (issue 19)', () => {
  const one = (text: string, env: NodeJS.ProcessEnv = {}) => {
    const p = problems(text, { env });
    expect(p).toHaveLength(1);
    return p[0]!;
  };
  const deploy = (items: string) => `${good}    deploy:\n${items}`;

  it('did you mean, for unknown keys at every level', () => {
    expect(one(`${good}sheduler: {}\n`)).toBe('15:1 (document): unknown key "sheduler" (did you mean "scheduler"?)');
    expect(one(good.replace('    dns: home\n', '    dns: home\n    folow_cnames: false\n'))).toMatch(/certificates\[0\]: unknown key "folow_cnames" \(did you mean "follow_cnames"\?\)$/);
    expect(one(good.replace('      api_key: k\n', '      api_key: k\n      propagation: { timout: 2m }\n'))).toMatch(/dns\.providers\.home\.propagation: unknown key "timout" \(did you mean "timeout"\?\)$/);
    // Nothing near enough: no guess.
    expect(one(good.replace('  email:', '  colour: x\n  email:'))).toMatch(/acme: unknown key "colour"$/);
  });

  it('an unknown provider type lists the types and suggests one; a missing type says so', () => {
    expect(one(good.replace('type: powerdns', 'type: powerdsn'))).toMatch(/dns\.providers\.home\.type: unknown provider type "powerdsn" \(did you mean "powerdns"\?\); expected one of acme-dns, azure, .*vultr$/);
    expect(one(good.replace('      type: powerdns\n', ''))).toMatch(/dns\.providers\.home\.type: required: the provider type, one of acme-dns, /);
  });

  it('an unknown provider id suggests a defined one', () => {
    expect(one(good.replace('dns: home', 'dns: hom'))).toMatch(/certificates\[0\]\.dns: unknown DNS provider "hom" \(did you mean "home"\?\); defined: home$/);
  });

  it('an unknown deploy action suggests one', () => {
    expect(one(deploy('      - hooks: [./reload]\n'))).toMatch(/certificates\[0\]\.deploy\[0\]: unknown deploy action "hooks" \(did you mean "hook"\?\): expected one of hook, permissions, pfx, copy, webhook, container/);
  });

  it('an unquoted mode is reported as the mode, with what YAML read and the fix', () => {
    expect(one(deploy('      - copy: { fullchain: /srv/x.pem, mode: 0640 }\n'))).toMatch(/certificates\[0\]\.deploy\[0\]: copy\.mode: expected an octal mode in quotes.*the number 640; quote it, "0640"$/);
    expect(one(deploy('      - permissions: { files_mode: 0640 }\n'))).toMatch(/permissions\.files_mode: .*the number 640; quote it, "0640"$/);
  });

  it('a dedented key says where it is and where it probably belongs', () => {
    expect(one(`${good}deploy:\n  - hook: [./reload]\n`)).toBe('15:1 (document): unknown key "deploy" (at the top level: it probably belongs under certificates[0], indented one level deeper)');
    expect(one(deploy('      - copy:\n          fullchain: /srv/x.pem\n        mode: "0640"\n'))).toMatch(/certificates\[0\]\.deploy\[0\]: unknown key "mode" \(in certificates\[0\]\.deploy\[0\]: it probably belongs under certificates\[0\]\.deploy\[0\]\.copy, /);
    // An option dedented to dns.providers level: not "Invalid input" under a provider named "ttl".
    const p = problems(good.replace('      api_key: k\n', '      api_key: k\n    ttl: 30\n'));
    expect(p).toEqual(['12:10 dns.providers.ttl: "ttl" is in dns.providers, where each key names an entry of its own; it is an option of dns.providers.home, so it probably belongs under it, indented one level deeper']);
  });

  it('a missing secret names the ways to give one; an empty one says it is empty', () => {
    expect(one(good.replace('      api_key: k\n', ''))).toBe('9:7 dns.providers.home.api_key: required: a secret (the value, ${VAR}, or api_key_file)');
    expect(one(good.replace('api_key: k', 'api_key: ""'))).toMatch(/dns\.providers\.home\.api_key: expected a non-empty string$/);
  });

  it('a missing variable for a secret: set it or use <option>_file, never a default', () => {
    const m = one(good.replace('api_key: k', 'api_key: ${CERTFLEET_X}'));
    expect(m).toMatch(/dns\.providers\.home\.api_key: variable CERTFLEET_X is not set: set it in certfleet's environment, or give the secret as api_key_file: PATH/);
    expect(m).not.toMatch(/default/);
    const lexicon = good.replace('type: powerdns', 'type: lexicon\n      provider: ovh\n      auth_token: ${CERTFLEET_T}').replace(/ {6}api_(url|key): .*\n/g, '');
    expect(one(lexicon)).toMatch(/auth_token: variable CERTFLEET_T is not set: set it .* auth_token_file: PATH/);
    // Not a secret: a default is fine advice.
    expect(one(good.replace('email: admin@example.test', 'email: ${CERTFLEET_MAIL}'))).toMatch(/CERTFLEET_MAIL is not set \(write \$\{CERTFLEET_MAIL:-default\}/);
  });
});
