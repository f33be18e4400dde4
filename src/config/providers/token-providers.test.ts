import { describe, expect, it } from 'vitest';
import { canGetRecords, canListZones, canSetRecords } from '../../dns/dns-provider.js';
import { createProvider } from '../../dns/create-provider.js';
import { parseProvider } from '../../../test/support/provider-config.js';
import { ConfigError } from '../load-config.js';

const provider = (yaml: string) => parseProvider('p', yaml, { readSecretFile: (f) => `secret-from-${f.split('/').pop()!}` });
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => log } as never;

describe('the DigitalOcean, Hetzner, Linode and Vultr entries', () => {
  it.each([
    ['digitalocean', 'api_token', { api_url: 'https://api.digitalocean.com/v2', ttl: 60 }],
    ['hetzner', 'api_token', { api: 'cloud', ttl: 60 }],
    ['linode', 'api_token', { api_url: 'https://api.linode.com/v4', ttl: 300 }],
    ['vultr', 'api_key', { api_url: 'https://api.vultr.com/v2', ttl: 60 }],
  ])('%s: defaults, the secret also as <option>_file, and a provider with the ExternalDNS capabilities', async (type, secret, defaults) => {
    const p = provider(`type: ${type}\n${secret}_file: token.txt`);
    expect(p).toMatchObject({ type, ...defaults });
    expect((p as unknown as Record<string, { reveal(): string }>)[secret]!.reveal()).toBe('secret-from-token.txt');
    const made = await createProvider('p', p, { log });
    expect([canGetRecords(made), canSetRecords(made), canListZones(made)]).toEqual([true, true, true]);
  });

  it('hetzner: api chooses Cloud or the DNS Console; anything else is refused where it is written', async () => {
    const console = provider('type: hetzner\napi: console\napi_token: t');
    expect(console).toMatchObject({ api: 'console' });
    expect(canSetRecords(await createProvider('p', console, { log }))).toBe(true);
    expect(() => provider('type: hetzner\napi: robot\napi_token: t')).toThrow(ConfigError);
    try {
      provider('type: hetzner\napi: robot\napi_token: t');
    } catch (err) {
      expect((err as ConfigError).problems.map((x) => x.path)).toEqual(['dns.providers.p.api']);
    }
  });

  it('digitalocean refuses a TTL below 30 seconds, naming the field', () => {
    try {
      provider('type: digitalocean\napi_token: t\nttl: 10');
      throw new Error('accepted');
    } catch (err) {
      expect((err as ConfigError).problems.map((x) => x.path)).toEqual(['dns.providers.p.ttl']);
    }
  });
});
