import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canListZones, type DnsProvider, type RecordGetter, type RecordSetter } from '../../src/dns/dns-provider.js';

/** What the capability checks need: a provider with get and set, its zone, and the fake's TXT texts. */
export interface CapabilityFixture {
  provider: DnsProvider & RecordGetter & RecordSetter;
  zone: string;
  txt(fqdn: string): string[];
  /** The TTL the checks write: at least the API's minimum. */
  ttl: number;
  stop(): Promise<void>;
}

const signal = () => AbortSignal.timeout(15_000);

/**
 * The checks beyond the conformance suite, for the HTTP API providers: a record set with
 * several values survives adding and deleting one value, a name below the API's zone finds it,
 * and get/set (and list zones where there is one) round-trip whole RRsets, the apex included.
 */
export function describeProviderCapabilities(label: string, setup: () => Promise<CapabilityFixture>): void {
  describe(`provider capabilities: ${label}`, () => {
    let f: CapabilityFixture;
    beforeAll(async () => { f = await setup(); });
    afterAll(() => f?.stop());
    const rec = (name: string, type: string, data: string) => ({ name, type, data, ttl: f.ttl });

    it('a record set with several values survives adding and deleting one value', async () => {
      await f.provider.appendRecords(f.zone, [rec('_acme-challenge.set', 'TXT', 'a'), rec('_acme-challenge.set', 'TXT', 'b')], signal());
      expect(await f.provider.appendRecords(f.zone, [rec('_acme-challenge.set', 'TXT', 'c')], signal())).toEqual([rec('_acme-challenge.set', 'TXT', 'c')]);
      expect(await f.provider.deleteRecords(f.zone, [rec('_acme-challenge.set', 'TXT', 'c')], signal())).toEqual([rec('_acme-challenge.set', 'TXT', 'c')]);
      expect(f.txt(`_acme-challenge.set.${f.zone}`).sort()).toEqual(['a', 'b']);
    });

    it('a name below the API zone is written into that zone', async () => {
      await f.provider.appendRecords(`sub.${f.zone}`, [rec('_acme-challenge', 'TXT', 'below')], signal());
      expect(f.txt(`_acme-challenge.sub.${f.zone}`)).toEqual(['below']);
      expect(await f.provider.getRecords(`sub.${f.zone}`, signal())).toContainEqual(rec('_acme-challenge', 'TXT', 'below'));
    });

    it('set replaces whole RRsets and clears others; get reads them back, the apex included', async () => {
      await f.provider.setRecords(f.zone, [rec('@', 'TXT', 'apex one'), rec('www', 'CNAME', 'target.example.net'), rec('mail', 'MX', '10 mx.example.net')], signal());
      expect(await f.provider.setRecords(f.zone, [rec('@', 'TXT', 'apex two'), rec('@', 'TXT', 'apex three')], signal(), [{ name: 'www', type: 'CNAME' }]))
        .toEqual([rec('@', 'TXT', 'apex two'), rec('@', 'TXT', 'apex three')]);
      const got = await f.provider.getRecords(f.zone, signal());
      expect(got.filter((r) => r.name === '@' && r.type === 'TXT').map((r) => r.data).sort()).toEqual(['apex three', 'apex two']);
      expect(got).toContainEqual(rec('mail', 'MX', '10 mx.example.net'));
      expect(got.filter((r) => r.type === 'CNAME')).toEqual([]);
      expect(f.txt(f.zone).sort()).toEqual(['apex three', 'apex two']);
    });

    it('lists the zone when the API lists zones', async (ctx) => {
      if (!canListZones(f.provider)) ctx.skip();
      else expect(await f.provider.listZones(signal())).toContain(f.zone);
    });
  });
}
