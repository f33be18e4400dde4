import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider, RecordGetter, RecordSetter, ZoneLister } from '../../src/dns/dns-provider.js';
import type { ProviderFixture } from './provider-conformance.js';

/** A fixture whose provider also has the ExternalDNS capabilities. */
export interface RecordSetFixture extends ProviderFixture {
  provider: DnsProvider & RecordGetter & RecordSetter & ZoneLister;
}

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 60) => ({ name, type: 'TXT', data, ttl });
const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * What the REST providers add to the conformance suite: a record set with several values
 * surviving an add and a delete of one value, a name below the provider's zone, and get, set and
 * list zones (ExternalDNS). Each test uses names of its own.
 */
export function describeRecordSets(label: string, setup: () => Promise<RecordSetFixture>): void {
  describe(`record sets and ExternalDNS capabilities: ${label}`, () => {
    let f: RecordSetFixture;
    beforeAll(async () => { f = await setup(); });
    afterAll(() => f?.stop());
    const at = (name: string) => `${name}.${f.zone}`;

    it('a record set with several values survives adding and deleting one value', async () => {
      const set = ['s1', 's2', 's3'].map((v) => txt('_acme-challenge.set', v));
      expect(await f.provider.appendRecords(f.zone, set, signal())).toEqual(set);
      expect(await f.provider.appendRecords(f.zone, [txt('_acme-challenge.set', 's4')], signal())).toEqual([txt('_acme-challenge.set', 's4')]);
      expect(await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.set', 's2')], signal())).toEqual([txt('_acme-challenge.set', 's2')]);
      expect((await f.txt(at('_acme-challenge.set'))).sort()).toEqual(['s1', 's3', 's4']);
    });

    it('a zone handed over below the provider\'s zone is found by walking up', async () => {
      expect(await f.provider.appendRecords(`sub.${f.zone}`, [txt('_acme-challenge', 'below')], signal())).toEqual([txt('_acme-challenge', 'below')]);
      expect(await f.txt(at('_acme-challenge.sub'))).toEqual(['below']);
      expect(await f.provider.deleteRecords(`sub.${f.zone}`, [txt('_acme-challenge', 'below')], signal())).toEqual([txt('_acme-challenge', 'below')]);
      expect(await f.txt(at('_acme-challenge.sub'))).toEqual([]);
    });

    it('getRecords lists the zone\'s records with relative names and unquoted TXT', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.get', 'g1'), txt('_acme-challenge.get', 'g 2 "q"')], signal());
      const got = (await f.provider.getRecords(f.zone, signal())).filter((r) => r.name === '_acme-challenge.get');
      expect(sorted(got)).toEqual(sorted([txt('_acme-challenge.get', 'g1'), txt('_acme-challenge.get', 'g 2 "q"')]));
    });

    it('setRecords makes an RRset exactly the given values, and clears the RRsets named', async () => {
      const a = (data: string) => ({ name: 'host', type: 'A', data, ttl: 300 });
      await f.provider.setRecords(f.zone, [a('192.0.2.1'), a('192.0.2.2'), txt('_acme-challenge.set2', 'old')], signal());
      expect(await f.provider.setRecords(f.zone, [a('192.0.2.2'), a('192.0.2.3')], signal(), [{ name: '_acme-challenge.set2', type: 'TXT' }])).toEqual([a('192.0.2.2'), a('192.0.2.3')]);
      const got = (await f.provider.getRecords(f.zone, signal())).filter((r) => ['host', '_acme-challenge.set2'].includes(r.name));
      expect(sorted(got)).toEqual(sorted([a('192.0.2.2'), a('192.0.2.3')]));
      expect(await f.txt(at('_acme-challenge.set2'))).toEqual([]);
    });

    it('setRecords changes the TTL of a kept value', async () => {
      await f.provider.setRecords(f.zone, [txt('_acme-challenge.ttl', 'same', 60)], signal());
      await f.provider.setRecords(f.zone, [txt('_acme-challenge.ttl', 'same', 600)], signal());
      expect((await f.provider.getRecords(f.zone, signal())).filter((r) => r.name === '_acme-challenge.ttl')).toEqual([txt('_acme-challenge.ttl', 'same', 600)]);
    });

    it('listZones lists the zones the credentials reach', async () => {
      expect(await f.provider.listZones(signal())).toContain(f.zone);
    });
  });
}
