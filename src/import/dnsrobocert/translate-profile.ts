import type { DrcProfile } from './dnsrobocert-schema.js';
import { hasEnvReference } from './env-references.js';
import { nativeOptionName, nativeProviderFor, type NativeProvider } from './native-providers.js';
import type { Translation } from './translation.js';
import type { Path } from './validate-schema.js';

/** Keys of a provider entry that are certfleet's own, beside the provider's options. */
const ENTRY_KEYS = ['type', 'provider', 'ttl', 'propagation'];
/** certfleet's propagation timeout when none is set (config/schema-parts.ts), in seconds. */
const DEFAULT_TIMEOUT_S = 120;

/**
 * One profile -> one `dns.providers` entry with the profile's name as its id: native where
 * certfleet has the provider and every option maps, `type: lexicon` with the options as they
 * are otherwise.
 */
export function translateProfile(p: DrcProfile, at: Path, out: Translation): Record<string, unknown> {
  const to: Path = ['dns', 'providers', p.name];
  const options = p.provider_options ?? {};
  for (const k of Object.keys(options).filter((o) => ENTRY_KEYS.includes(o))) {
    out.problem([...at, 'provider_options', k], `option ${JSON.stringify(k)} cannot be translated: a certfleet provider entry uses ${k} itself (${k === 'ttl' ? 'set the profile\'s ttl instead' : 'beside the provider\'s options'})`);
  }
  const { entry, native } = providerEntry(p.provider, options, at, to, out);
  if (p.ttl !== undefined) entry.ttl = ttlFor(p.ttl, native, to, out);
  const timeout = propagationTimeout(p, at, to, out);
  if (timeout !== undefined) entry.propagation = { timeout };
  if (p.dynamic_zone_resolution !== undefined) {
    out.note([...at, 'dynamic_zone_resolution'], 'not needed: certfleet always finds the zone of each name with SOA queries, it keeps no list of suffixes');
  }
  if (p.delegated_subdomain !== undefined) {
    out.note([...at, 'delegated_subdomain'], 'deprecated and unused by DNSroboCert; certfleet finds delegated zones with SOA queries');
  }
  return entry;
}

/**
 * lexicon's global --delegated (a profile's provider_options may carry it): the zone of a
 * delegated subdomain. certfleet finds every zone with SOA queries, and lexicon's provider
 * options do not include it, so check-config would refuse it.
 */
const DROPPED = 'delegated';

function providerEntry(provider: string, given: Record<string, unknown>, at: Path, to: Path, out: Translation): { entry: Record<string, unknown>; native?: NativeProvider } {
  const options = Object.fromEntries(Object.entries(given).filter(([k]) => k !== DROPPED));
  if (DROPPED in given) out.note([...at, 'provider_options', DROPPED], 'not needed: certfleet finds the zone of each name (delegated or not) with SOA queries');
  const lexicon = { type: 'lexicon', provider, ...options };
  const native = hasEnvReference(provider) ? undefined : nativeProviderFor(provider);
  if (!native) return { entry: lexicon };
  const names = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, native.options[k] ? nativeOptionName(native.options[k], v) : undefined]));
  const unmapped = Object.keys(options).filter((k) => names[k] === undefined);
  const missing = native.required.filter((k) => !(k in options));
  const whole = native.check?.(options);
  if (unmapped.length > 0 || missing.length > 0 || whole) {
    const reasons = [
      ...unmapped.map((k) => native.why?.[k] ?? `option ${k} has no counterpart in certfleet's native ${native.type} provider`),
      ...missing.map((k) => `${k} is not in provider_options (lexicon may read it from LEXICON_${provider.toUpperCase()}_${k.toUpperCase()}); certfleet's native ${native.type} provider needs it in the config`),
      ...(whole ? [whole] : []),
    ];
    out.comment(to, `Kept on dns-lexicon's ${provider} provider: ${[...new Set(reasons)].join('; ')}.`);
    return { entry: lexicon };
  }
  const entry: Record<string, unknown> = { type: native.type, ...native.fixed };
  for (const [k, v] of Object.entries(options)) {
    const name = names[k];
    const change = native.options[k]!.value;
    if (name) entry[name] = change && typeof v === 'string' ? change(v) : v;
  }
  const renames = Object.keys(options).map((k) => names[k] ? `${k} -> ${names[k]}` : `${k} dropped`);
  const fixed = Object.entries(native.fixed ?? {}).map(([k, v]) => `${k}: ${String(v)}, the API lexicon's provider uses`);
  out.comment(to, `dns-lexicon's ${provider} provider, as certfleet's native ${native.type} provider (${[...renames, ...fixed].join(', ')}).`);
  return { entry, native };
}

/** The profile's ttl, raised to the native provider's smallest (its API refuses less; lexicon's would too). */
function ttlFor(ttl: number | string, native: NativeProvider | undefined, to: Path, out: Translation): number | string {
  if (typeof ttl !== 'number' || !native?.minTtl || ttl >= native.minTtl) return ttl;
  out.comment([...to, 'ttl'], `DNSroboCert's ttl ${ttl} is below the smallest certfleet's native ${native.type} provider takes (the API refuses less): raised to ${native.minTtl}.`);
  return native.minTtl;
}

/**
 * DNSroboCert slept sleep_time seconds (default 30), then, with max_checks, checked through the
 * system resolver up to max_checks times, sleeping in between. certfleet asks every authoritative
 * server until each shows the record and goes on at once, so its timeout is only the most it
 * waits: DNSroboCert's whole budget, or certfleet's default when that is longer.
 */
function propagationTimeout(p: DrcProfile, at: Path, to: Path, out: Translation): string | undefined {
  if (p.sleep_time === undefined && p.max_checks === undefined) return undefined;
  if (typeof p.sleep_time === 'string' || typeof p.max_checks === 'string') {
    out.note([...at, typeof p.sleep_time === 'string' ? 'sleep_time' : 'max_checks'], `taken from the environment, so no propagation timeout was derived: certfleet waits until every authoritative server shows the record, at most ${DEFAULT_TIMEOUT_S}s unless propagation.timeout says otherwise`);
    return undefined;
  }
  const sleep = p.sleep_time ?? 30;
  const checks = p.max_checks ?? 0;
  const budget = Math.ceil(sleep * Math.max(1, checks));
  const seconds = Math.max(budget, DEFAULT_TIMEOUT_S);
  out.comment([...to, 'propagation'], `DNSroboCert ${checks > 0 ? `checked up to ${checks} times, ${sleep}s apart` : `waited ${sleep}s without checking`} (sleep_time ${sleep}, max_checks ${checks}). certfleet polls every authoritative server instead and goes on as soon as all show the record; the timeout is the most it waits: ${seconds === budget ? "DNSroboCert's budget" : `certfleet's default, longer than DNSroboCert's ${budget}s`}.`);
  return `${seconds}s`;
}
