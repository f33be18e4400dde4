import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { createProvider } from '../../src/dns/create-provider.js';
import { canGetRecords, canListZones, canSetRecords } from '../../src/dns/dns-provider.js';
import { captureLog } from '../support/test-log.js';

/** A config whose one provider `p` has these options. */
const config = (p: Record<string, unknown>) => stringify({
  acme: { directory: 'https://127.0.0.1:14000/dir', email: 'admin@example.test' },
  store: { path: '/tmp/x' },
  dns: { providers: { p } },
  certificates: [{ domains: ['example.test'], dns: 'p' }],
});

/** The config's one-line problems (`file:line:col: path: message`), or [] when it is valid. */
const problems = (text: string): string[] => {
  try {
    parseConfig(text, 'c.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n').map((l) => l.replace(/^c\.yaml:\d+:\d+: /, ''));
  }
};

const minimal: Record<string, Record<string, unknown>> = {
  desec: { type: 'desec', token: 't' },
  porkbun: { type: 'porkbun', api_key: 'pk1_a', secret_api_key: 'sk1_b' },
  godaddy: { type: 'godaddy', api_key: 'k', api_secret: 's' },
  dnsimple: { type: 'dnsimple', token: 't' },
  infomaniak: { type: 'infomaniak', token: 't' },
};

describe('the five API providers in the config', () => {
  it('each type is accepted with its credentials, with the real endpoint and the API\'s TTL as defaults', () => {
    const got = Object.fromEntries(Object.entries(minimal).map(([type, lines]) => {
      const p = parseConfig(config(lines), 'c.yaml').dns.providers.p!;
      return [type, { api_url: (p as { api_url: string }).api_url, ttl: (p as { ttl: number }).ttl }];
    }));
    expect(got).toEqual({
      desec: { api_url: 'https://desec.io/api/v1', ttl: 3600 },
      porkbun: { api_url: 'https://api.porkbun.com/api/json/v3', ttl: 600 },
      godaddy: { api_url: 'https://api.godaddy.com/v1', ttl: 600 },
      dnsimple: { api_url: 'https://api.dnsimple.com/v2', ttl: 60 },
      infomaniak: { api_url: 'https://api.infomaniak.com', ttl: 300 },
    });
  });

  it('the new secret options also take <option>_file', () => {
    const files = { '/run/secrets/sk': 'sk1_from_file\n', '/run/secrets/gs': 'gd-secret-from-file\n' };
    const porkbun = parseConfig(config({ type: 'porkbun', api_key: 'pk1_a', secret_api_key_file: '/run/secrets/sk' }), '/etc/certfleet/c.yaml', { readSecretFile: (f) => files[f as keyof typeof files] }).dns.providers.p!;
    const godaddy = parseConfig(config({ type: 'godaddy', api_key: 'k', api_secret_file: '/run/secrets/gs' }), '/etc/certfleet/c.yaml', { readSecretFile: (f) => files[f as keyof typeof files] }).dns.providers.p!;
    expect(porkbun.type === 'porkbun' && porkbun.secret_api_key.reveal()).toBe('sk1_from_file');
    expect(godaddy.type === 'godaddy' && godaddy.api_secret.reveal()).toBe('gd-secret-from-file');
  });

  it('bad input: one clear error per field, with its path', () => {
    expect(problems(config({ type: 'porkbun', api_key: 'pk1_a' }))).toEqual([expect.stringMatching(/^dns\.providers\.p\.secret_api_key: /)]);
    expect(problems(config({ ...minimal.godaddy, ttl: 300 }))).toEqual([expect.stringMatching(/^dns\.providers\.p\.ttl: .*600/)]);
    expect(problems(config({ ...minimal.dnsimple, account_id: 'acme' }))).toEqual(['dns.providers.p.account_id: expected the numeric account id']);
  });

  it('create-provider builds each one, with get and set, and list zones where the API lists them', async () => {
    const { log } = captureLog();
    const caps = {} as Record<string, string>;
    for (const [type, lines] of Object.entries(minimal)) {
      const p = await createProvider(type, parseConfig(config(lines), 'c.yaml').dns.providers.p!, { log });
      caps[type] = [canGetRecords(p) && 'get', canSetRecords(p) && 'set', canListZones(p) && 'zones'].filter(Boolean).join(' ');
    }
    expect(caps).toEqual({ desec: 'get set zones', porkbun: 'get set', godaddy: 'get set', dnsimple: 'get set zones', infomaniak: 'get set zones' });
  });
});
