import type { DrcProfile } from './dnsrobocert-schema.js';
import { hasEnvReference } from './env-references.js';
import { nativeProviderFor } from './native-providers.js';
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
  const entry = { ...providerEntry(p.provider, options, to, out) };
  if (p.ttl !== undefined) entry.ttl = p.ttl;
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

function providerEntry(provider: string, options: Record<string, unknown>, to: Path, out: Translation): Record<string, unknown> {
  const lexicon = { type: 'lexicon', provider, ...options };
  const native = hasEnvReference(provider) ? undefined : nativeProviderFor(provider);
  if (!native) return lexicon;
  const unmapped = Object.keys(options).filter((k) => !(k in native.options));
  const missing = native.required.filter((k) => !(k in options));
  if (unmapped.length > 0 || missing.length > 0) {
    const reasons = [
      ...unmapped.map((k) => native.why?.[k] ?? `option ${k} has no counterpart in certfleet's native ${native.type} provider`),
      ...missing.map((k) => `${k} is not in provider_options (lexicon may read it from LEXICON_${provider.toUpperCase()}_${k.toUpperCase()}); certfleet's native ${native.type} provider needs it in the config`),
    ];
    out.comment(to, `Kept on dns-lexicon's ${provider} provider: ${reasons.join('; ')}.`);
    return lexicon;
  }
  const entry: Record<string, unknown> = { type: native.type };
  for (const [k, v] of Object.entries(options)) {
    const rename = native.options[k]!;
    entry[rename.to] = rename.value && typeof v === 'string' ? rename.value(v) : v;
  }
  out.comment(to, `dns-lexicon's ${provider} provider, as certfleet's native ${native.type} provider (${Object.keys(options).map((k) => `${k} -> ${native.options[k]!.to}`).join(', ')}).`);
  return entry;
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
