import { describe, expect, it } from 'vitest';
import { parseProviderEntry } from '../../../test/support/provider-config.js';

const parse = (lines: string, files: Record<string, string> = {}) => parseProviderEntry('aws', `type: route53
${lines}`, files);

describe('type: route53', () => {
  it('no keys at all is valid (the default sources); defaults for the rest', () => {
    const p = parse('private_zone: true').config?.dns.providers.aws;
    expect(p).toMatchObject({ type: 'route53', private_zone: true, api_url: 'https://route53.amazonaws.com', ttl: 60 });
  });

  it('secret_access_key_file and session_token_file are read as secrets', () => {
    const p = parse('access_key_id: AKIAIOSFODNN7EXAMPLE\nsecret_access_key_file: /run/aws/secret\nsession_token_file: /run/aws/session', { '/run/aws/secret': 'wJalrXUtnFEMI\n', '/run/aws/session': 'FwoG' }).config?.dns.providers.aws;
    if (p?.type !== 'route53') throw new Error('not route53');
    expect(p.secret_access_key?.reveal()).toBe('wJalrXUtnFEMI');
    expect(p.session_token?.reveal()).toBe('FwoG');
  });

  it('half a key pair, or an unknown option, is refused at its field', () => {
    expect(parse('access_key_id: AKIAIOSFODNN7EXAMPLE').problems).toEqual(['dns.providers.aws.secret_access_key: expected access_key_id and secret_access_key together (or neither, for the default credential sources)']);
    expect(parse('region: eu-west-1').problems).toEqual([expect.stringMatching(/^dns\.providers\.aws: .*region/)]);
  });
});
