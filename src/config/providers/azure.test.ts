import { describe, expect, it } from 'vitest';
import { parseProviderEntry } from '../../../test/support/provider-config.js';

const parse = (lines: string, files: Record<string, string> = {}) => parseProviderEntry('az', `type: azure
subscription_id: 00000000-0000-0000-0000-000000000001
resource_group: dns
${lines}`, files);

describe('type: azure', () => {
  it('client_secret (the default) with client_secret_file', () => {
    const p = parse('tenant_id: t\nclient_id: c\nclient_secret_file: /run/az/secret', { '/run/az/secret': 's3cret\n' }).config?.dns.providers.az;
    if (p?.type !== 'azure') throw new Error('not azure');
    expect(p).toMatchObject({ auth: 'client_secret', tenant_id: 't', client_id: 'c', api_url: 'https://management.azure.com', ttl: 60 });
    expect(p.client_secret?.reveal()).toBe('s3cret');
  });

  it('client_secret without its three fields names each missing one', () => {
    expect(parse('tenant_id: t').problems).toEqual([
      'dns.providers.az.client_id: auth: client_secret needs tenant_id, client_id and client_secret',
      'dns.providers.az.client_secret: auth: client_secret needs tenant_id, client_id and client_secret',
    ]);
  });

  it('managed and workload identity need no secret, and refuse one', () => {
    expect(parse('auth: managed_identity').problems).toEqual([]);
    expect(parse('auth: workload_identity\nfederated_token_file: /var/run/secrets/azure/tokens/azure-identity-token').problems).toEqual([]);
    expect(parse('auth: managed_identity\nclient_secret: x').problems).toEqual(['dns.providers.az.client_secret: client_secret is only for auth: client_secret (auth is managed_identity)']);
    expect(parse('auth: certificate').problems).toEqual([expect.stringMatching(/^dns\.providers\.az\.auth: /)]);
  });
});
