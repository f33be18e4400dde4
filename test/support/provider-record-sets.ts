import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider, RecordGetter, RecordSetter, ZoneLister } from '../../src/dns/dns-provider.js';
import { loadCassettes } from './cassette.js';
import { describeProviderConformance, type ProviderFixture } from './provider-conformance.js';
import { shapeContradictions, type SeenRequest, type ShapeOptions } from './recorded-shapes.js';

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

    it('the same value appended twice at once is created once, and reported by one call only', async () => {
      const rec = txt('_acme-challenge.twice', 'same');
      const answers = await Promise.all([f.provider.appendRecords(f.zone, [rec], signal()), f.provider.appendRecords(f.zone, [rec], signal())]);
      expect(answers.flat()).toEqual([rec]);
      expect(await f.txt(at('_acme-challenge.twice'))).toEqual(['same']);
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

/** A provider under test together with the requests its fake saw. */
export interface RecordedFixture extends RecordSetFixture {
  seen: SeenRequest[];
}

export interface RecordedProviderSuite {
  label: string;
  /** The cassette folder (`loadCassettes`). */
  cassettes: string;
  setup: () => Promise<RecordedFixture>;
  /**
   * The contradictions expected, each a documented request the recordings happen not to show
   * (a zone list, a page parameter); say why beside it. Anything else fails.
   */
  documented: string[];
  /** Requests that must have been seen (e.g. a second page), so the check covers them. */
  mustSee?: RegExp[];
  shapes?: ShapeOptions;
}

/**
 * The whole check of a REST provider: the conformance suite and the record-set suite against its
 * fake, then every request the fakes saw compared with the recorded traffic.
 */
export function describeRecordedProvider(s: RecordedProviderSuite): void {
  const fixtures: RecordedFixture[] = [];
  const setup = async () => {
    const f = await s.setup();
    fixtures.push(f);
    return f;
  };
  describeProviderConformance(`${s.label} (against a fake built from its cassettes)`, setup);
  describeRecordSets(s.label, setup);
  describe(`${s.label}: the requests made have shapes the recordings show`, () => {
    it('no request contradicts the cassettes, except the documented ones', () => {
      const seen = fixtures.flatMap((f) => f.seen);
      for (const re of s.mustSee ?? []) expect(seen.some((r) => re.test(`${r.method} ${r.url}`)), `a request matching ${re}`).toBe(true);
      expect(shapeContradictions(loadCassettes(s.cassettes), seen, s.shapes)).toEqual(s.documented);
    });
  });
}
