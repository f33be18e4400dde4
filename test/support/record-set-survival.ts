import { expect } from 'vitest';
import type { DnsProvider, RecordGetter } from '../../src/dns/dns-provider.js';

/**
 * The bar for record-set APIs: a TXT set that already holds `challengetoken1` and
 * `challengetoken2` (TTL 3600, put there by the caller at `_acme-challenge.set`) keeps both, and
 * its TTL, through adding and deleting one more value.
 */
export async function expectRecordSetSurvives(p: DnsProvider & RecordGetter, zone: string, txt: (fqdn: string) => string[], signal: () => AbortSignal): Promise<void> {
  const mine = { name: '_acme-challenge.set', type: 'TXT', data: 'mine', ttl: 60 };
  const fqdn = `_acme-challenge.set.${zone}`;
  expect(await p.appendRecords(zone, [mine], signal())).toEqual([mine]);
  expect(txt(fqdn)).toEqual(['challengetoken1', 'challengetoken2', 'mine']);
  expect(await p.deleteRecords(zone, [mine], signal())).toEqual([mine]);
  expect(txt(fqdn)).toEqual(['challengetoken1', 'challengetoken2']);
  expect((await p.getRecords(zone, signal())).filter((r) => r.name === mine.name).map((r) => r.ttl)).toEqual([3600, 3600]);
}
