import { expect } from 'vitest';
import type { DnsProvider, RecordGetter } from '../../src/dns/dns-provider.js';

/* The record-set checks done through a provider, for the tests of the record-set APIs. */

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

/**
 * What lexicon's `delete_record_with_record_set_by_content_should_leave_others_untouched`
 * recorded, done through a provider: two values appended to `_acme-challenge.deleterecordinset`
 * (the second call repeating the first value), then the first deleted. Replayed against the
 * recording, the provider's requests can be compared with lexicon's.
 */
export async function buildAndThinRecordedSet(p: DnsProvider, zone: string, signal: AbortSignal): Promise<void> {
  const one = { name: '_acme-challenge.deleterecordinset', type: 'TXT', data: 'challengetoken1', ttl: 3600 };
  const two = { ...one, data: 'challengetoken2' };
  expect(await p.appendRecords(zone, [one], signal)).toEqual([one]);
  expect(await p.appendRecords(zone, [one, two], signal)).toEqual([two]);
  expect(await p.deleteRecords(zone, [one], signal)).toEqual([one]);
}
