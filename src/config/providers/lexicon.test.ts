import { configProblems } from '../../../test/support/config-problems.js';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ParseOptions } from '../load-config.js';
import { collectSecrets, Secret } from '../secret.js';

const config = (entry: string) => `acme: { directory: https://127.0.0.1:14000/dir }
store: { path: /tmp/x }
dns:
  providers:
    lx:
${entry.split('\n').map((l) => `      ${l}`).join('\n')}
certificates:
  - domains: [example.test]
    dns: lx
`;

function lexicon(text: string, opts: ParseOptions = {}) {
  const p = parseConfig(text, '/etc/cf/c.yaml', opts).dns.providers.lx!;
  if (p.type !== 'lexicon') throw new Error(`lx is ${p.type}`);
  return p;
}

const problems = configProblems;

const reveal = (options: Record<string, Secret>) => Object.fromEntries(Object.entries(options).map(([k, v]) => [k, v.reveal()]));

describe('type: lexicon', () => {
  it('takes the provider\'s options beside provider, by lexicon\'s names, every value a secret', () => {
    const p = lexicon(config('type: lexicon\nprovider: ovh\nauth_entrypoint: ovh-eu\nauth_application_key: ak-123\nauth_consumer_key: 42\nttl: 120'));
    expect({ ...p, options: reveal(p.options) }).toEqual({
      type: 'lexicon', provider: 'ovh', python: '/usr/bin/python3', timeout: 60_000, ttl: 120, propagation: { timeout: 120_000 },
      options: { auth_entrypoint: 'ovh-eu', auth_application_key: 'ak-123', auth_consumer_key: '42' },
    });
    expect(Object.values(p.options).every((v) => v instanceof Secret)).toBe(true);
    expect([...collectSecrets(p)].sort()).toEqual(['42', 'ak-123', 'ovh-eu']);
    expect(JSON.stringify(p)).not.toContain('ak-123');
  });

  it('true is passed as "true"; false leaves the option out (lexicon reads any non-empty value as set)', () => {
    const p = lexicon(config('type: lexicon\nprovider: namecheap\nauth_sandbox: false\nauth_token: t-1\nauth_client_ip: true'));
    expect(reveal(p.options)).toEqual({ auth_token: 't-1', auth_client_ip: 'true' });
  });

  it('every option also accepts <option>_file, read relative to the config, the source recorded', () => {
    const read = (f: string) => (f === '/etc/cf/secrets/token' ? 'from-file\n' : (() => { throw Object.assign(new Error('no'), { code: 'ENOENT' }); })());
    const p = lexicon(config('type: lexicon\nprovider: hetzner\nauth_token_file: secrets/token'), { readSecretFile: read });
    expect(reveal(p.options)).toEqual({ auth_token: 'from-file' });
    expect(p.options.auth_token!.source).toEqual({ kind: 'file', file: '/etc/cf/secrets/token' });
    expect(problems(config('type: lexicon\nprovider: hetzner\nauth_token: x\nauth_token_file: secrets/token'), { readSecretFile: read }))
      .toEqual(['9:7 dns.providers.lx.auth_token_file: give either auth_token or auth_token_file, not both']);
  });

  it('a ${VAR} option records its source as the environment', () => {
    const p = lexicon(config('type: lexicon\nprovider: hetzner\nauth_token: ${CERTFLEET_HETZNER_TOKEN}'), { env: { CERTFLEET_HETZNER_TOKEN: 'env-token' } });
    expect(p.options.auth_token!.reveal()).toBe('env-token');
    expect(p.options.auth_token!.source).toEqual({ kind: 'env' });
  });

  it('oci\'s own file-path options are given as they are, not read', () => {
    const p = lexicon(config('type: lexicon\nprovider: oci\nauth_key_file: /etc/oci/key.pem\nauth_config_file: /etc/oci/config'), { readSecretFile: () => { throw new Error('must not be read'); } });
    expect(reveal(p.options)).toEqual({ auth_key_file: '/etc/oci/key.pem', auth_config_file: '/etc/oci/config' });
  });

  it('bad input: where, and what was expected', () => {
    expect(problems(config('type: lexicon\nprovider: Cloud Flare'))).toEqual(['7:17 dns.providers.lx.provider: expected a lexicon provider name like cloudflare or ovh']);
    expect(problems(config('type: lexicon\nprovider: ovh\nAuth-Key: x'))).toEqual(['8:17 dns.providers.lx.Auth-Key: "Auth-Key" is not a lexicon option name (lower case, digits and _, like auth_token)']);
    expect(problems(config('type: lexicon\nprovider: ovh\nauth_key: { a: 1 }'))).toEqual(['8:17 dns.providers.lx.auth_key: expected a string, number or boolean (a lexicon option value)']);
    expect(problems(config('type: lexicon\nauth_key: x'))).toEqual(['6:7 dns.providers.lx.provider: expected the lexicon provider\'s name, like cloudflare or ovh']);
  });
});
