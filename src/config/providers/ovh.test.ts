import { describe, expect, it } from 'vitest';
import { parseProvider, providerProblems } from '../../../test/support/provider-config.js';

const readSecretFile = (f: string) => ({ '/etc/certfleet/ovh.as': 'as-from-file\n', '/etc/certfleet/ovh.ck': 'ck-from-file\n' } as Record<string, string>)[f] ?? '';

const problems = (provider: string) => providerProblems('ovh', provider, { readSecretFile });

describe('ovh config', () => {
  it('the three credentials, the secrets from files; ovh-eu by default', () => {
    const p = parseProvider('ovh', 'type: ovh\napplication_key: ak\napplication_secret_file: ovh.as\nconsumer_key_file: ovh.ck', { readSecretFile });
    if (p.type !== 'ovh') throw new Error(p.type);
    expect(p).toMatchObject({ endpoint: 'ovh-eu', ttl: 60, application_key: 'ak' });
    expect([p.application_secret.reveal(), p.consumer_key.reveal()]).toEqual(['as-from-file', 'ck-from-file']);
  });

  it('names the endpoints it knows, and every missing credential', () => {
    expect(problems('type: ovh\nendpoint: ovh-mars\napplication_key: ak\napplication_secret: as\nconsumer_key: ck')).toEqual([
      expect.stringMatching(/^dns\.providers\.ovh\.endpoint: .*"ovh-eu"\|"ovh-ca"\|"ovh-us"\|"kimsufi-eu"/),
    ]);
    expect(problems('type: ovh\napplication_key: ak').map((p) => p.split(':')[0])).toEqual(['dns.providers.ovh.application_secret', 'dns.providers.ovh.consumer_key']);
  });
});
