import { describe, expect, it } from 'vitest';
import { parseProvider, providerProblems } from '../../../test/support/provider-config.js';

const key = JSON.stringify({ type: 'service_account', project_id: 'proj-1', client_email: 'dns@proj-1.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n' });
const files: Record<string, string> = { '/etc/certfleet/gc.json': `${key}\n`, '/etc/certfleet/bad.json': '{"type":"service_account","project_id":"p"}' };
const readSecretFile = (f: string) => files[f] ?? (() => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); })();

const problems = (provider: string) => providerProblems('gc', provider, { readSecretFile });

describe('google-cloud-dns config', () => {
  it('takes the key as service_account_key_file, with the defaults filled in', () => {
    const p = parseProvider('gc', 'type: google-cloud-dns\nservice_account_key_file: gc.json', { readSecretFile });
    expect(p).toMatchObject({ type: 'google-cloud-dns', api_url: 'https://dns.googleapis.com/dns/v1', metadata_url: 'http://metadata.google.internal/computeMetadata/v1', ttl: 60 });
    if (p.type !== 'google-cloud-dns') throw new Error(p.type);
    expect(JSON.parse(p.service_account_key!.reveal())).toMatchObject({ client_email: 'dns@proj-1.iam.gserviceaccount.com' });
  });

  it('says which field of the key is missing, and when the project must be given', () => {
    expect(problems('type: google-cloud-dns\nservice_account_key_file: bad.json')).toEqual([
      'dns.providers.gc.service_account_key.client_email: expected a string: is it a service-account key (type "service_account")?',
      'dns.providers.gc.service_account_key.private_key: expected a string: is it a service-account key (type "service_account")?',
    ]);
    expect(problems(`type: google-cloud-dns\nservice_account_key: '{"client_email":"a@b","private_key":"k"}'`)).toEqual(['dns.providers.gc.project: the key has no project_id: give the project']);
    expect(problems('type: google-cloud-dns\nservice_account_key: not-json')).toEqual(['dns.providers.gc.service_account_key: expected a service-account JSON key (the file Google Cloud gives for a service account key)']);
  });

  it('without a key it is workload identity (the metadata server): nothing else is required', () => {
    expect(problems('type: google-cloud-dns')).toEqual([]);
  });
});
