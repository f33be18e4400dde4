import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider } from '../../src/dns/dns-provider.js';

/** What the conformance suite needs of a provider under test. */
export interface ProviderFixture {
  provider: DnsProvider;
  zone: string;
  /** TXT values at `fqdn`, read from the server (over DNS, or from a fake's state). */
  txt(fqdn: string): Promise<string[]>;
  stop(): Promise<void>;
}

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });
const sorted = (xs: string[]) => [...xs].sort();

/**
 * The same tests for every provider, in the spirit of libdns's provider test suite: each name
 * is used by one test only, so tests never see each other's records.
 */
export function describeProviderConformance(label: string, setup: () => Promise<ProviderFixture>): void {
  describe(`DnsProvider conformance: ${label}`, () => {
    let f: ProviderFixture;
    beforeAll(async () => { f = await setup(); });
    afterAll(() => f?.stop());
    const fqdn = (name: string) => (name === '@' ? f.zone : `${name}.${f.zone}`);

    it('appends to an empty name', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.one', 'v1')], signal());
      expect(await f.txt(fqdn('_acme-challenge.one'))).toEqual(['v1']);
    });

    it('appends a second value to the same name, keeping the first', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.two', 'v1')], signal());
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.two', 'v2')], signal());
      expect(sorted(await f.txt(fqdn('_acme-challenge.two')))).toEqual(['v1', 'v2']);
    });

    it('appends two values in one call (apex and wildcard share a name)', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.pair', 'a'), txt('_acme-challenge.pair', 'b')], signal());
      expect(sorted(await f.txt(fqdn('_acme-challenge.pair')))).toEqual(['a', 'b']);
    });

    it('deleting one value leaves the other', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.three', 'keep'), txt('_acme-challenge.three', 'drop')], signal());
      await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.three', 'drop')], signal());
      expect(await f.txt(fqdn('_acme-challenge.three'))).toEqual(['keep']);
    });

    it('delete is idempotent: twice, or a value that was never there', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.four', 'x')], signal());
      await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.four', 'x')], signal());
      await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.four', 'x')], signal());
      await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.never', 'y')], signal());
      expect(await f.txt(fqdn('_acme-challenge.four'))).toEqual([]);
    });

    it('concurrent appends to one name lose nothing', async () => {
      const values = ['c1', 'c2', 'c3', 'c4', 'c5'];
      await Promise.all(values.map((v) => f.provider.appendRecords(f.zone, [txt('_acme-challenge.many', v)], signal())));
      expect(sorted(await f.txt(fqdn('_acme-challenge.many')))).toEqual(values);
      await Promise.all(values.map((v) => f.provider.deleteRecords(f.zone, [txt('_acme-challenge.many', v)], signal())));
      expect(await f.txt(fqdn('_acme-challenge.many'))).toEqual([]);
    });

    it('handles the apex (@) and deep relative names', async () => {
      await f.provider.appendRecords(f.zone, [txt('@', 'apex-value'), txt('_acme-challenge.a.b', 'deep')], signal());
      expect(await f.txt(f.zone)).toContain('apex-value');
      expect(await f.txt(fqdn('_acme-challenge.a.b'))).toEqual(['deep']);
      await f.provider.deleteRecords(f.zone, [txt('@', 'apex-value'), txt('_acme-challenge.a.b', 'deep')], signal());
      expect(await f.txt(f.zone)).not.toContain('apex-value');
      expect(await f.txt(fqdn('_acme-challenge.a.b'))).toEqual([]);
    });
  });
}
