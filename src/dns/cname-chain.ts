import { canonicalName, isInZone } from '../dns-name.js';
import { CertfleetError } from '../errors.js';
import type { DnsLookup } from './dns-lookup.js';

/** Longest CNAME chain followed (lego uses 50 for lookups; a delegation has one or two hops). */
export const MAX_CNAME_HOPS = 10;

/**
 * Where a challenge record must be written: `_acme-challenge.<domain>` itself, or the end of
 * the CNAME chain that starts there (delegation to another zone or to acme-dns). Loops and
 * chains longer than MAX_CNAME_HOPS are errors that show the chain.
 */
export async function followCnames(lookup: DnsLookup, name: string, signal: AbortSignal): Promise<{ target: string; chain: string[] }> {
  const chain = [canonicalName(name)];
  for (;;) {
    const next = await lookup.cname(chain.at(-1)!, signal);
    if (!next) return { target: chain.at(-1)!, chain };
    const n = canonicalName(next);
    if (chain.includes(n)) throw new CertfleetError('DNS_CNAME', `CNAME loop at ${name}: ${[...chain, n].join(' -> ')}`);
    chain.push(n);
    if (chain.length > MAX_CNAME_HOPS + 1) throw new CertfleetError('DNS_CNAME', `CNAME chain from ${name} is longer than ${MAX_CNAME_HOPS} hops: ${chain.join(' -> ')}`);
  }
}

/**
 * The provider id for a name: the config's single id, or from a map of domains/suffixes to
 * ids, by the longest suffix that matches on a label boundary.
 */
export function providerFor(dns: string | Record<string, string>, name: string): string | undefined {
  if (typeof dns === 'string') return dns;
  const n = canonicalName(name);
  let best: { key: string; id: string } | undefined;
  for (const [key, id] of Object.entries(dns)) {
    const k = canonicalName(key).replace(/^\*\./, '');
    if (isInZone(n, k) && (!best || k.length > best.key.length)) best = { key: k, id };
  }
  return best?.id;
}
