import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import type { Changes } from './endpoint.js';
import { absoluteName } from '../dns-name.js';
import { recordsOf, rrsetsOf, type RRset } from '../dns/rrset.js';
import type { RecordBackend } from './record-backend.js';
import { WebhookService } from './webhook-service.js';

const cap = captureLog();
const ZONE: RRset[] = [
  { name: 'example.test', type: 'SOA', ttl: 3600, values: ['ns1.example.test. h.example.test. 1 2 3 4 5'] },
  { name: 'example.test', type: 'NS', ttl: 3600, values: ['ns1.example.test'] },
  { name: 'www.example.test', type: 'A', ttl: 300, values: ['192.0.2.1'] },
  { name: '_acme-challenge.www.example.test', type: 'TXT', ttl: 60, values: ['"abc"'] },
];

function service(opts: { allowAcmeChallenge?: boolean } = {}) {
  const applied: { replace: string[]; remove: string[] }[] = [];
  const backend: RecordBackend = {
    id: 'fake',
    listZones: () => Promise.resolve(['Example.Test.']),
    getRecords: (zone) => Promise.resolve(recordsOf(zone, ZONE)),
    setRecords: (zone, records, _signal, clear = []) => {
      applied.push({ replace: rrsetsOf(zone, records).map((r) => `${r.name} ${r.type}`), remove: clear.map((r) => `${absoluteName(r.name, zone)} ${r.type}`) });
      return Promise.resolve(records);
    },
  };
  return { svc: new WebhookService(backend, { include: ['example.test'] }, 300, cap.log, opts), applied };
}
const changes = (c: Partial<Changes>): Changes => ({ create: [], updateOld: [], updateNew: [], delete: [], ...c });
const signal = new AbortController().signal;

describe('WebhookService', () => {
  it('records(): no SOA, no apex NS, no _acme-challenge name unless allowed', async () => {
    expect((await service().svc.records(signal)).map((e) => `${e.dnsName!} ${e.recordType!}`)).toEqual(['www.example.test A']);
    expect((await service({ allowAcmeChallenge: true }).svc.records(signal)).map((e) => e.dnsName)).toContain('_acme-challenge.www.example.test');
  });

  it('apply(): refuses the apex NS/SOA (even where the listed zone has a trailing dot) and applies the rest', async () => {
    const { svc, applied } = service();
    const result = await svc.apply(changes({
      create: [{ dnsName: 'EXAMPLE.test.', recordType: 'ns', targets: ['ns.attacker.invalid'] }, { dnsName: 'new.example.test', recordType: 'A', targets: ['192.0.2.5'] }],
      delete: [{ dnsName: 'example.test', recordType: 'SOA', targets: [] }, { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1'] }],
    }), signal);
    expect(result.refused.map((r) => [r.endpoint, r.reason])).toEqual([['example.test SOA', 'zone_apex'], ['example.test NS', 'zone_apex']]);
    expect(applied).toEqual([{ replace: ['new.example.test A'], remove: ['www.example.test A'] }]);
  });

  it('apply(): a change set of refused endpoints only writes nothing', async () => {
    const { svc, applied } = service();
    const result = await svc.apply(changes({ create: [{ dnsName: '_acme-challenge.example.test', recordType: 'TXT', targets: ['x'] }] }), signal);
    expect(result.refused.map((r) => r.reason)).toEqual(['acme_challenge']);
    expect(applied).toEqual([]);
  });

  it('speaks the capability interfaces: relative names and unquoted TXT to the provider, one setRecords per zone; no listZones means the filter names the zones', async () => {
    const calls: unknown[] = [];
    const backend: RecordBackend = {
      id: 'no-list',
      getRecords: () => Promise.resolve([{ name: 'a-www', type: 'TXT', data: 'heritage=external-dns', ttl: 300 }, { name: 'www', type: 'AAAA', data: '2001:DB8:0:0::1', ttl: 300 }]),
      setRecords: (zone, records, _signal, clear) => {
        calls.push({ zone, records, clear });
        return Promise.resolve(records);
      },
    };
    const svc = new WebhookService(backend, { include: ['example.test'] }, 300, cap.log);
    expect(await svc.records(signal)).toEqual([
      { dnsName: 'a-www.example.test', recordType: 'TXT', targets: ['"heritage=external-dns"'], recordTTL: 300 },
      { dnsName: 'www.example.test', recordType: 'AAAA', targets: ['2001:db8::1'], recordTTL: 300 },
    ]);
    await svc.apply(changes({
      create: [{ dnsName: 'a-new.example.test', recordType: 'TXT', targets: ['"heritage=external-dns"'] }, { dnsName: 'example.test', recordType: 'MX', targets: ['10 Mail.Example.Test.'] }],
      delete: [{ dnsName: 'www.example.test', recordType: 'AAAA', targets: ['2001:db8::1'] }],
      updateOld: [{ dnsName: 'gone.example.test', recordType: 'A', targets: ['192.0.2.9'] }],
      updateNew: [{ dnsName: 'gone.example.test', recordType: 'A', targets: [] }],
    }), signal);
    expect(calls).toEqual([{
      zone: 'example.test',
      records: [{ name: 'a-new', type: 'TXT', data: 'heritage=external-dns', ttl: 300 }, { name: '@', type: 'MX', data: '10 mail.example.test', ttl: 300 }],
      clear: [{ name: 'www', type: 'AAAA' }, { name: 'gone', type: 'A' }],
    }]);
  });
});
