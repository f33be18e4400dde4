import type { Logger } from '../log.js';
import { compileFilter, MAX_TTL, type Changes, type DomainFilter, type Endpoint } from './endpoint.js';
import { isAcmeChallengeName, refusalMessage, refusalReason, type RefusalReason } from './protected-records.js';
import { canListZones, type RRsetName } from '../dns/dns-provider.js';
import { recordsOf, rrsetsOf, type RRset } from '../dns/rrset.js';
import { canonicalIpv6 } from '../dns/ipv6-text.js';
import { txtTarget } from '../dns/txt-presentation.js';
import { canonicalName, isInZone, relativeName } from '../dns-name.js';
import type { RecordBackend } from './record-backend.js';

/** Record types the webhook reads and writes (SOA and the apex NS stay the DNS admin's). */
export const SUPPORTED_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'NS', 'PTR'];

export class WebhookInputError extends Error {}

export interface WebhookServiceOptions {
  /** Write names with an `_acme-challenge` label (off: such writes are refused and such records not shown). */
  allowAcmeChallenge?: boolean;
}

/** An endpoint the service would not write, with why. */
export interface Refusal { endpoint: string; reason: RefusalReason; message: string }

/** At most this many names in one log line or answer; the count says how many there were. */
const LISTED = 20;

/**
 * The ExternalDNS webhook's logic, without HTTP: read RRsets as one endpoint per (name, type),
 * normalise desired endpoints so they compare equal to what is read back, and apply a change
 * set as one transaction per zone.
 */
export class WebhookService {
  private readonly matches: (name: string) => boolean;
  private readonly allowAcmeChallenge: boolean;
  /** The largest TTL a request may ask for: DNS's, or the provider's when lower. */
  readonly maxTtl: number;

  constructor(private readonly backend: RecordBackend, private readonly filter: DomainFilter, private readonly defaultTtl: number, private readonly log: Logger, opts: WebhookServiceOptions = {}) {
    this.matches = compileFilter(filter);
    this.allowAcmeChallenge = opts.allowAcmeChallenge ?? false;
    this.maxTtl = Math.min(MAX_TTL, backend.maxTtl ?? MAX_TTL);
    if (defaultTtl < 1 || defaultTtl > this.maxTtl) throw new RangeError(`default TTL ${defaultTtl} is outside 1..${this.maxTtl} (the largest ${backend.id} accepts)`);
  }

  negotiate(): DomainFilter {
    return this.filter;
  }

  async records(signal: AbortSignal): Promise<Endpoint[]> {
    const zones = await this.zones(signal);
    const sets = await Promise.all(zones.map(async (z) => ({ zone: z, rrsets: rrsetsOf(z, await this.backend.getRecords(z, signal)) })));
    const out: Endpoint[] = [];
    for (const { zone, rrsets } of sets) {
      for (const rr of rrsets) {
        // What the webhook never writes it does not show either, so ExternalDNS never plans to change it.
        if (!SUPPORTED_TYPES.includes(rr.type) || (rr.type === 'NS' && rr.name === zone) || (!this.allowAcmeChallenge && isAcmeChallengeName(rr.name)) || !this.matches(rr.name)) continue;
        const values = rr.type === 'AAAA' ? rr.values.map(canonicalIpv6) : rr.values;
        out.push({ dnsName: rr.name, recordType: rr.type, targets: [...values].sort(), recordTTL: rr.ttl });
      }
    }
    return out.sort((a, b) => `${a.dnsName!} ${a.recordType!}`.localeCompare(`${b.dnsName!} ${b.recordType!}`));
  }

  /** What `GET /records` would return for these endpoints once applied: compare-equal, so plans stay empty. */
  adjust(endpoints: Endpoint[]): Endpoint[] {
    return endpoints.map((e) => {
      const type = (e.recordType ?? '').toUpperCase();
      const targets = (e.targets ?? []).map((t) => (type === 'TXT' ? txtTarget(t) : type === 'AAAA' ? canonicalIpv6(t) : ['CNAME', 'NS', 'MX', 'SRV', 'PTR'].includes(type) ? canonicalName(t) : t));
      const { providerSpecific: _ps, ...rest } = e;
      return { ...rest, dnsName: canonicalName(e.dnsName ?? ''), recordType: type, targets: [...new Set(targets)].sort(), recordTTL: e.recordTTL ? e.recordTTL : this.defaultTtl };
    });
  }

  /**
   * Applies a change set, without the endpoints it refuses (the zone apex's NS and SOA,
   * `_acme-challenge` names unless allowed): those are returned in `refused`, the rest is applied.
   */
  async apply(changes: Changes, signal: AbortSignal): Promise<{ zones: number; skipped: string[]; refused: Refusal[] }> {
    const zones = await this.zones(signal);
    const perZone = new Map<string, { replace: Map<string, RRset>; remove: Map<string, RRsetName> }>();
    const skipped: string[] = [];
    const refused = new Map<string, Refusal>();
    const bucket = (e: Endpoint) => {
      const name = canonicalName(e.dnsName!);
      const type = e.recordType!.toUpperCase();
      // ExternalDNS's ownership record of an apex (e.g. a-example.com) can fall outside every
      // zone and outside the filter: skip it with a warning; failing would stop ExternalDNS.
      const zone = zones.filter((z) => isInZone(name, z)).sort((a, b) => b.length - a.length)[0];
      const managed = zone !== undefined && this.matches(name);
      // Before the type check: the apex SOA is refused as such, not as an unsupported type.
      const reason = managed ? refusalReason(name, type, zone, this.allowAcmeChallenge) : undefined;
      if (reason) {
        refused.set(`${name} ${type}`, { endpoint: `${name} ${type}`, reason, message: refusalMessage(name, type, reason) });
        return undefined;
      }
      if (!SUPPORTED_TYPES.includes(type)) throw new WebhookInputError(`record type ${type} of ${name} is not supported (supported: ${SUPPORTED_TYPES.join(', ')})`);
      if (!managed) {
        skipped.push(`${name} ${type}`);
        return undefined;
      }
      let z = perZone.get(zone);
      if (!z) perZone.set(zone, (z = { replace: new Map(), remove: new Map() }));
      return { z, zone, key: `${name} ${type}`, name, type };
    };
    for (const e of [...changes.delete, ...changes.updateOld]) {
      const b = bucket(e);
      if (b) b.z.remove.set(b.key, { name: relativeName(b.name, b.zone), type: b.type });
    }
    for (const e of this.adjust([...changes.create, ...changes.updateNew])) {
      const b = bucket(e);
      if (!b) continue;
      b.z.remove.delete(b.key);
      const prev = b.z.replace.get(b.key);
      // Two endpoints for one RRset (e.g. set identifiers the provider cannot keep apart): merge, never overwrite.
      b.z.replace.set(b.key, { name: b.name, type: b.type, ttl: e.recordTTL!, values: [...new Set([...(prev?.values ?? []), ...e.targets!])] });
    }
    for (const [zone, z] of perZone) {
      const sets = [...z.replace.values()];
      // An RRset desired with no targets names no record: it is cleared, as a REPLACE with nothing would.
      const emptied = sets.filter((rr) => rr.values.length === 0).map((rr) => ({ name: relativeName(rr.name, zone), type: rr.type }));
      await this.backend.setRecords(zone, recordsOf(zone, sets), signal, [...z.remove.values(), ...emptied]);
    }
    if (skipped.length) this.log.warn({ skipped: skipped.slice(0, LISTED), count: skipped.length }, 'endpoints_outside_managed_zones');
    const refusals = [...refused.values()];
    if (refusals.length) this.log.error({ refused: refusals.slice(0, LISTED).map((r) => r.message), count: refusals.length }, 'endpoints_refused');
    return { zones: perZone.size, skipped, refused: refusals };
  }

  private async zones(signal: AbortSignal): Promise<string[]> {
    const f = this.filter as { include?: string[] };
    const listed = canListZones(this.backend) ? await this.backend.listZones(signal) : [];
    // Providers that cannot list zones (RFC 2136 without `zone`): the filter's domains are the zones.
    // Normalised here: the apex checks compare names with zones exactly.
    const all = (listed.length > 0 ? listed : f.include ?? []).map(canonicalName);
    // A zone is managed when it is inside the filter, or the filter names something inside it.
    return all.filter((z) => this.matches(z) || (f.include ?? []).some((d) => canonicalName(d).endsWith(`.${z}`)));
  }
}
