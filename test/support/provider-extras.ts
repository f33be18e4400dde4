import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../src/dns/create-provider.js';
import type { DnsLookup } from '../../src/dns/dns-lookup.js';
import type { DnsProvider } from '../../src/dns/dns-provider.js';
import { dnsTest } from '../../src/dns/dns-test.js';
import { createLogger } from '../../src/log.js';
import type { InjectedFault } from './fake-api-server.js';
import { parseProvider } from './provider-config.js';
import { describeProviderConformance } from './provider-conformance.js';

/** What the checks beyond the conformance suite need of a provider and its cassette-built fake. */
export interface ExtrasFixture {
  zone: string;
  /** A new provider instance (no cache, no lock shared with another). */
  provider(): DnsProvider;
  /** TXT texts at `fqdn` as the fake serves them. */
  txt(fqdn: string): string[];
  /** Puts a TXT record set with these texts at `fqdn` directly, as another writer would. */
  seed(fqdn: string, texts: string[]): void;
  /** The fake's next answers (a 429 with Retry-After). */
  inject(fault: InjectedFault): void;
  /** The provider's config entry (YAML, one option a line) for this fake. */
  configEntry: string;
  /** A zone not in the account, and the error message for it. */
  unknownZone: { zone: string; message: string };
  stop(): Promise<void>;
}

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 300 });

/**
 * The checks every API provider gets besides the conformance suite: a record set with
 * several values survives adding and deleting one, the zone is found for a name below it (and
 * a missing one said clearly), 429 with Retry-After is waited out, and a config entry works
 * through create-provider and `certfleet dns-test` (DNS answered from the fake's state).
 */
export function describeProviderExtras(label: string, setup: () => Promise<ExtrasFixture>): void {
  describe(`provider extras: ${label}`, () => {
    let f: ExtrasFixture;
    beforeAll(async () => { f = await setup(); });
    afterAll(() => f?.stop());

    it('a record set with several values keeps the others through an add and a delete of one value', async () => {
      const fqdn = `_acme-challenge.set.${f.zone}`;
      f.seed(fqdn, ['keep-1', 'keep-2']);
      const p = f.provider();
      expect(await p.appendRecords(f.zone, [txt('_acme-challenge.set', 'mine')], signal())).toEqual([txt('_acme-challenge.set', 'mine')]);
      expect(f.txt(fqdn)).toEqual(['keep-1', 'keep-2', 'mine']);
      expect(await p.deleteRecords(f.zone, [txt('_acme-challenge.set', 'mine')], signal())).toEqual([txt('_acme-challenge.set', 'mine')]);
      expect(f.txt(fqdn)).toEqual(['keep-1', 'keep-2']);
    });

    it('finds the zone for a name below it; a zone not in the account is DNS_ZONE_NOT_FOUND, said clearly', async () => {
      await f.provider().appendRecords(`below.${f.zone}`, [txt('_acme-challenge', 'below')], signal());
      expect(f.txt(`_acme-challenge.below.${f.zone}`)).toEqual(['below']);
      await expect(f.provider().appendRecords(f.unknownZone.zone, [txt('_acme-challenge', 'x')], signal()))
        .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: f.unknownZone.message });
    });

    it('429 with Retry-After is waited out', async () => {
      f.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests' } });
      await f.provider().appendRecords(f.zone, [txt('_acme-challenge.slow', 'v')], signal());
      expect(f.txt(`_acme-challenge.slow.${f.zone}`)).toEqual(['v']);
    });

    it('a config entry, through create-provider, passes dns-test: locate, write, propagation, delete', async () => {
      const cfg = parseProvider('cfg', `${f.configEntry}\npropagation: { nameservers: ['ns.${f.zone}:53'], timeout: 10s }`);
      const p = await createProvider('cfg', cfg, { log: createLogger({ format: 'json', out: { write: () => true } }) });
      // The zone's DNS as the fake's state makes it: its apex has the SOA, its one name server answers TXT.
      const lookup: DnsLookup = {
        soa: (name) => Promise.resolve(name === f.zone),
        ns: () => Promise.resolve([`ns.${f.zone}`]),
        addresses: () => Promise.resolve(['192.0.2.53']),
        cname: () => Promise.resolve(undefined),
        txtAt: (_server, name) => Promise.resolve(f.txt(name)),
      };
      const steps = await dnsTest(p, cfg, `dnstest.${f.zone}`, { lookup }, signal());
      expect(steps.map((s) => `${s.step} ${s.ok ? 'ok' : s.detail}`)).toEqual(['locate ok', 'write ok', 'propagation ok', 'delete ok']);
      expect(f.txt(`_acme-challenge.dnstest.${f.zone}`)).toEqual([]);
    });
  });
}

/** A cassette-built fake as the suites below drive it. */
export interface ExtrasFake {
  server: { inject(fault: InjectedFault): void };
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

export interface ConformanceAndExtras<F extends ExtrasFake> {
  /** The provider type, as the suites are labelled. */
  label: string;
  /** What the conformance suite's label adds in parentheses: the fake it runs against. */
  against: string;
  zone: string;
  fake(): Promise<F>;
  provider(fake: F): DnsProvider;
  /** The extras' fixture fields that are the provider's own. */
  extras(fake: F): Pick<ExtrasFixture, 'seed' | 'configEntry' | 'unknownZone'>;
}

/** The conformance suite and the extras, each on a fake of its own, wired alike for every provider. */
export function describeConformanceAndExtras<F extends ExtrasFake>(s: ConformanceAndExtras<F>): void {
  describeProviderConformance(`${s.label} (${s.against})`, async () => {
    const f = await s.fake();
    return { provider: s.provider(f), zone: s.zone, txt: (fqdn) => Promise.resolve(f.txt(fqdn)), stop: () => f.stop() };
  });
  describeProviderExtras(s.label, async () => {
    const f = await s.fake();
    return { zone: s.zone, provider: () => s.provider(f), txt: (fqdn) => f.txt(fqdn), inject: (fault) => f.server.inject(fault), stop: () => f.stop(), ...s.extras(f) };
  });
}
