import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider } from '../../src/dns/dns-provider.js';

/** What the conformance suite needs of a provider under test. */
export interface ProviderFixture {
  provider: DnsProvider;
  zone: string;
  /** TXT values at `fqdn`, read from the server (over DNS, or from a fake's state). */
  txt(fqdn: string): Promise<string[]>;
  stop(): Promise<void>;
  /**
   * False for a provider that cannot see what is already there (exec: the program only answers
   * done or failed): it reports every distinct value as created or deleted, and the checks of
   * "already there / never there" answers are skipped for it.
   */
  knowsExisting?: boolean;
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

    it('appends to an empty name, returning what it created', async () => {
      expect(await f.provider.appendRecords(f.zone, [txt('_acme-challenge.one', 'v1')], signal())).toEqual([txt('_acme-challenge.one', 'v1')]);
      expect(await f.txt(fqdn('_acme-challenge.one'))).toEqual(['v1']);
    });

    it('appends a second value to the same name, keeping the first', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.two', 'v1')], signal());
      expect(await f.provider.appendRecords(f.zone, [txt('_acme-challenge.two', 'v2')], signal())).toEqual([txt('_acme-challenge.two', 'v2')]);
      expect(sorted(await f.txt(fqdn('_acme-challenge.two')))).toEqual(['v1', 'v2']);
    });

    it('appends two values in one call (apex and wildcard share a name)', async () => {
      const pair = [txt('_acme-challenge.pair', 'a'), txt('_acme-challenge.pair', 'b')];
      expect(await f.provider.appendRecords(f.zone, pair, signal())).toEqual(pair);
      expect(sorted(await f.txt(fqdn('_acme-challenge.pair')))).toEqual(['a', 'b']);
    });

    it('a value already present is not created, and not returned', async (ctx) => {
      if (f.knowsExisting === false) ctx.skip();
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.again', 'old')], signal());
      expect(await f.provider.appendRecords(f.zone, [txt('_acme-challenge.again', 'old'), txt('_acme-challenge.again', 'new')], signal())).toEqual([txt('_acme-challenge.again', 'new')]);
      expect(sorted(await f.txt(fqdn('_acme-challenge.again')))).toEqual(['new', 'old']);
    });

    it('deleting one value leaves the other, returning what it deleted', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.three', 'keep'), txt('_acme-challenge.three', 'drop')], signal());
      expect(await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.three', 'drop')], signal())).toEqual([txt('_acme-challenge.three', 'drop')]);
      expect(await f.txt(fqdn('_acme-challenge.three'))).toEqual(['keep']);
    });

    it('delete is idempotent: twice, or a value that was never there, returns nothing and is no error', async () => {
      await f.provider.appendRecords(f.zone, [txt('_acme-challenge.four', 'x')], signal());
      expect(await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.four', 'x')], signal())).toEqual([txt('_acme-challenge.four', 'x')]);
      const again = await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.four', 'x')], signal());
      const never = await f.provider.deleteRecords(f.zone, [txt('_acme-challenge.never', 'y')], signal());
      if (f.knowsExisting !== false) {
        expect(again).toEqual([]);
        expect(never).toEqual([]);
      }
      expect(await f.txt(fqdn('_acme-challenge.four'))).toEqual([]);
    });

    it('concurrent appends to one name lose nothing', async () => {
      const values = ['c1', 'c2', 'c3', 'c4', 'c5'];
      const added = await Promise.all(values.map((v) => f.provider.appendRecords(f.zone, [txt('_acme-challenge.many', v)], signal())));
      expect(added).toEqual(values.map((v) => [txt('_acme-challenge.many', v)]));
      expect(sorted(await f.txt(fqdn('_acme-challenge.many')))).toEqual(values);
      const deleted = await Promise.all(values.map((v) => f.provider.deleteRecords(f.zone, [txt('_acme-challenge.many', v)], signal())));
      expect(deleted).toEqual(values.map((v) => [txt('_acme-challenge.many', v)]));
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
