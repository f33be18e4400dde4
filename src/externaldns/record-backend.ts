/** A whole RRset: what ExternalDNS calls an endpoint, once aggregated. */
export interface RRset { name: string; type: string; ttl: number; values: string[] }

/**
 * What the ExternalDNS webhook needs of a DNS provider: the zones, every RRset of a zone, and
 * one change set per zone applied as atomically as the provider allows.
 */
export interface RecordBackend {
  readonly id: string;
  /** The largest TTL the provider's API accepts, when it is below DNS's 2147483647 (requests above it are a 400). */
  readonly maxTtl?: number;
  listZones(signal: AbortSignal): Promise<string[]>;
  readZone(zone: string, signal: AbortSignal): Promise<RRset[]>;
  /** Replaces the given RRsets whole, deletes the others given; one transaction where possible. */
  applyZone(zone: string, change: { replace: RRset[]; remove: { name: string; type: string }[] }, signal: AbortSignal): Promise<void>;
}
