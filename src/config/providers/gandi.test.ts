import { describe, expect, it } from 'vitest';
import { parseProvider, providerProblems } from '../../../test/support/provider-config.js';

const problems = (provider: string) => providerProblems('gandi', provider, { readSecretFile: () => 'pat-from-file\n' });

describe('gandi config', () => {
  it('a personal access token (or its file), or the deprecated API key: one of the two', () => {
    expect(problems('type: gandi\npersonal_access_token_file: gandi.pat')).toEqual([]);
    expect(problems('type: gandi\napi_key: k')).toEqual([]);
    const neither = ['dns.providers.gandi.personal_access_token: expected personal_access_token (or the deprecated api_key), one of the two'];
    expect(problems('type: gandi')).toEqual(neither);
    expect(problems('type: gandi\napi_key: k\npersonal_access_token: t')).toEqual(neither);
  });

  it('TTLs within what LiveDNS takes (300 s to 30 days), 300 by default', () => {
    const p = parseProvider('gandi', 'type: gandi\napi_key: k');
    expect(p).toMatchObject({ ttl: 300, api_url: 'https://api.gandi.net/v5/livedns' });
    expect(problems('type: gandi\napi_key: k\nttl: 60')).toEqual([expect.stringMatching(/^dns\.providers\.gandi\.ttl: /)]);
  });
});
