import { describe, expect, it } from 'vitest';
import { GoogleCloudDnsProvider } from '../../src/dns/google-cloud-dns/google-cloud-dns-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeGoogleCloudDns, type FakeGoogleCloudDns } from '../support/fake-google-cloud-dns.js';
import { describeConformanceAndExtras } from '../support/provider-extras.js';
import { shapeContradictions, type SeenRequest } from '../support/recorded-shapes.js';
import { keepingSeen } from '../support/seen-requests.js';

const ZONE = 'example.test';
const seen: SeenRequest[] = [];
const provider = (g: FakeGoogleCloudDns, id = 'gc') => new GoogleCloudDnsProvider({ id, serviceAccountKey: g.key, apiUrl: g.apiUrl });
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });

async function fake(): Promise<FakeGoogleCloudDns> {
  return keepingSeen(seen, await startFakeGoogleCloudDns([ZONE, 'other.test']));
}

describeConformanceAndExtras({
  label: 'google-cloud-dns', against: 'against a fake built from the recorded API', zone: ZONE, fake, provider: (g) => provider(g),
  extras: (g) => ({
    seed: (fqdn, texts) => g.put(ZONE, { name: fqdn, type: 'TXT', ttl: 300, rrdatas: texts.map((t) => `"${t}"`) }),
    configEntry: `type: google-cloud-dns\napi_url: ${g.apiUrl}\nservice_account_key: ${JSON.stringify(g.key)}`,
    unknownZone: { zone: 'unmanaged.test', message: 'Google Cloud DNS provider gc: no managed zone for unmanaged.test in the project (or the service account may not list it)' },
  }),
});

describe('google-cloud-dns specifics', () => {
  it('two certfleet processes appending to one name at once: the change that lost re-reads, nothing is overwritten', async () => {
    const g = await fake();
    try {
      const values = ['p1', 'p2', 'p3', 'p4'];
      // Separate provider instances share no lock: only the API's compare-and-swap keeps them apart.
      const added = await Promise.all(values.map((v, i) => provider(g, `gc${i}`).appendRecords(ZONE, [txt('_acme-challenge.race', v)], signal())));
      expect(added).toEqual(values.map((v) => [txt('_acme-challenge.race', v)]));
      expect(g.txt(`_acme-challenge.race.${ZONE}`).sort()).toEqual(values);
    } finally {
      await g.stop();
    }
  });

  it('get, set and list zones (ExternalDNS)', async () => {
    const g = await fake();
    try {
      const p = provider(g);
      expect((await p.listZones(signal())).sort()).toEqual(['example.test', 'other.test']);
      const www = { name: 'www', type: 'CNAME', data: 'target.example.net', ttl: 300 };
      const mx = [{ name: '@', type: 'MX', data: '10 mail.example.test', ttl: 300 }, { name: '@', type: 'MX', data: '20 backup.example.test', ttl: 300 }];
      expect(await p.setRecords(ZONE, [www, ...mx, txt('owner', 'heritage=external-dns')], signal())).toHaveLength(4);
      expect(g.rrsets(ZONE).find((s) => s.type === 'CNAME')?.rrdatas).toEqual(['target.example.net.']);
      const got = await p.getRecords(ZONE, signal());
      expect(got).toEqual(expect.arrayContaining([www, ...mx, txt('owner', 'heritage=external-dns')]));
      expect(got.some((r) => r.type === 'SOA')).toBe(true);
      await p.setRecords(ZONE, [{ ...www, data: 'moved.example.net' }], signal(), [{ name: 'owner', type: 'TXT' }]);
      const after = await p.getRecords(ZONE, signal());
      expect(after.filter((r) => r.name === 'www')).toEqual([{ ...www, data: 'moved.example.net' }]);
      expect(after.filter((r) => r.name === 'owner')).toEqual([]);
    } finally {
      await g.stop();
    }
  });

  it('workload identity: the token and the project come from the metadata server', async () => {
    const g = await fake();
    try {
      const p = new GoogleCloudDnsProvider({ id: 'gke', apiUrl: g.apiUrl, metadataUrl: g.metadataUrl });
      await p.appendRecords(ZONE, [txt('_acme-challenge.pod', 'v')], signal());
      expect(g.txt(`_acme-challenge.pod.${ZONE}`)).toEqual(['v']);
      expect(g.server.seen.filter((r) => r.url.startsWith('/computeMetadata/')).map((r) => r.url).sort()).toEqual(['/computeMetadata/v1/instance/service-accounts/default/token', '/computeMetadata/v1/project/project-id']);
    } finally {
      await g.stop();
    }
  });
});

describe('google-cloud-dns requests against the recordings', () => {
  it('every request the provider made has a method, path, query and body the recorded traffic shows', () => {
    // The conformance and specifics suites above ran first (same file, in order) and left their requests in `seen`.
    const recorded = loadCassettes('googleclouddns');
    const api = seen.filter((r) => !r.url.startsWith('/computeMetadata/'));
    expect(api.length).toBeGreaterThan(50);
    expect(shapeContradictions(recorded, api, { recordedPrefix: '' })).toEqual([]);
  });
});
