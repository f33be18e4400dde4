import type { Config, ProviderConfig } from '../config/schema.js';
import { BatchingProvider } from '../dns/batching-provider.js';
import { followCnames, providerFor } from '../dns/cname-chain.js';
import type { DnsLookup } from '../dns/dns-lookup.js';
import type { DnsProvider } from '../dns/dns-provider.js';
import { DEFAULT_PROPAGATION, type PropagationOptions } from '../dns/propagation.js';
import { findZone } from '../dns/zone-finder.js';
import { CertfleetError } from '../errors.js';

/**
 * How long a TXT cleanup may wait for those of other certificates in its zone (BatchingProvider):
 * 200 certificates four at a time then delete a few per call instead of one, a PowerDNS read and
 * PATCH on a new connection each, or one call of a rate-limited API. The lease is held that much
 * longer; issuance does not wait for cleanups.
 */
const DELETE_LINGER_MS = 250;

/** Where a challenge record for one name goes: the provider and its TTL and propagation settings. */
export interface DnsRoute {
  provider: DnsProvider;
  ttl: number;
  propagation: PropagationOptions;
}

/** A certificate's DNS settings: `certificates[].dns` (one provider id, or suffix → id). */
export type DnsMapping = string | Record<string, string>;

export type ProviderFactory = (id: string, cfg: ProviderConfig) => Promise<DnsProvider>;

/**
 * Name → provider for the challenge records of a config: CNAME following, the zone a name is in,
 * and the providers themselves, each created once on first need and shared by every certificate
 * (concurrent certificates in one zone share provider calls: group commit).
 */
export class DnsRouter {
  private readonly providers = new Map<string, Promise<DnsProvider>>();

  constructor(private readonly deps: { providers: Config['dns']['providers']; create: ProviderFactory; lookup: DnsLookup }) {}

  /** Where a CNAME chain at `fqdn` ends (or `fqdn` itself, when following is off). */
  async target(fqdn: string, follow: boolean, signal: AbortSignal): Promise<string> {
    return follow ? (await followCnames(this.deps.lookup, fqdn, signal)).target : fqdn;
  }

  zone(fqdn: string, signal: AbortSignal): Promise<string> {
    return findZone(this.deps.lookup, fqdn, signal);
  }

  /** The route for `fqdn` under `certificate`'s mapping; DNS_NO_PROVIDER when none is configured. */
  async route(certificate: string, mapping: DnsMapping, fqdn: string): Promise<DnsRoute> {
    const id = providerFor(mapping, fqdn);
    const cfg = id === undefined ? undefined : this.deps.providers[id];
    if (id === undefined || !cfg) {
      throw new CertfleetError('DNS_NO_PROVIDER', `${certificate}: no DNS provider is configured for ${fqdn} (certificates[].dns maps ${typeof mapping === 'string' ? mapping : Object.keys(mapping).join(', ')}); a CNAME may lead out of every configured zone`);
    }
    return {
      provider: await this.provider(id, cfg),
      ttl: cfg.ttl,
      propagation: { ...DEFAULT_PROPAGATION, timeoutMs: cfg.propagation.timeout, ...(cfg.propagation.nameservers ? { nameservers: cfg.propagation.nameservers } : {}) },
    };
  }

  /** The provider configured as `id`, or undefined when the config no longer has it (a leftover's). */
  async byId(id: string): Promise<DnsProvider | undefined> {
    const cfg = this.deps.providers[id];
    return cfg ? this.provider(id, cfg) : undefined;
  }

  private provider(id: string, cfg: ProviderConfig): Promise<DnsProvider> {
    let p = this.providers.get(id);
    if (!p) {
      p = this.deps.create(id, cfg).then((created) => new BatchingProvider(created, { deleteLingerMs: DELETE_LINGER_MS }));
      // A provider that could not be created (an unreadable ca_bundle) is tried again next time.
      p.catch(() => this.providers.delete(id));
      this.providers.set(id, p);
    }
    return p;
  }
}
