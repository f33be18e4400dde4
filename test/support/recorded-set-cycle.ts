import { expect } from 'vitest';
import type { DnsProvider } from '../../src/dns/dns-provider.js';

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
