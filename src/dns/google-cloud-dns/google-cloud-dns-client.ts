import { CertfleetError } from '../../errors.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ProviderHttp } from '../provider-http.js';
import type { AccessTokenSource } from './google-auth.js';

/** The answer shapes of Cloud DNS API v1 (as recorded), the fields certfleet reads. */
export interface ManagedZone { id: string; name: string; dnsName: string; visibility?: string }
export interface ResourceRecordSet { name: string; type: string; ttl: number; rrdatas: string[] }
export interface Change { id: string; status: string; additions?: ResourceRecordSet[]; deletions?: ResourceRecordSet[] }

/** What a change request answered: applied, or refused because the RRsets it names changed meanwhile. */
export type ChangeResult = { applied: true; change: Change } | { applied: false; reason: string };

export const CLOUD_DNS_AUTH_HINT = 'the service account needs the DNS Administrator role (roles/dns.admin) on the project, or dns.managedZones.list, dns.resourceRecordSets.list and dns.changes.create';

/** Cloud DNS API v1 on ProviderHttp: managed zones, record sets (paged), changes. */
export class GoogleCloudDnsClient {
  private readonly http: ProviderHttp;

  constructor(private readonly opts: { label: string; apiUrl: string; project: (signal: AbortSignal) => Promise<string>; tokens: AccessTokenSource; fetch?: FetchLike }) {
    this.http = new ProviderHttp({
      label: opts.label, baseUrl: opts.apiUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}),
      auth: async (_req, signal) => ({ authorization: `Bearer ${await opts.tokens.token(signal)}` }),
      secrets: () => opts.tokens.secrets(),
      authHint: CLOUD_DNS_AUTH_HINT,
      errorDetail: googleError,
    });
  }

  async managedZones(signal: AbortSignal): Promise<ManagedZone[]> {
    return this.paged<ManagedZone>(`${await this.base(signal)}/managedZones`, 'managedZones', {}, signal);
  }

  /** The record sets of a zone, all or those of one name (absolute, with the dot) and type. */
  async rrsets(zone: ManagedZone, signal: AbortSignal, filter?: { name: string; type: string }): Promise<ResourceRecordSet[]> {
    return this.paged<ResourceRecordSet>(`${await this.zonePath(zone, signal)}/rrsets`, 'rrsets', filter ? { type: filter.type, name: filter.name } : {}, signal, zone.dnsName);
  }

  /**
   * One atomic change. Cloud DNS applies deletions only when they match the RRsets exactly and
   * refuses additions over an existing RRset: a writer in between makes it refuse (409 alreadyExists,
   * 412 conditionNotMet, or 404 naming a deletion), which is returned for the caller to re-read.
   */
  async change(zone: ManagedZone, body: { additions: ResourceRecordSet[]; deletions: ResourceRecordSet[] }, signal: AbortSignal): Promise<ChangeResult> {
    const json = { ...(body.deletions.length ? { deletions: body.deletions } : {}), additions: body.additions };
    const res = await this.http.request('POST', `${await this.zonePath(zone, signal)}/changes`, { signal, json, accept: [404, 409, 412], zone: zone.dnsName });
    if (res.status === 200) return { applied: true, change: res.json<Change>() };
    const reason = googleError(res.status, res.text) ?? `HTTP ${res.status}`;
    // A 404 that names no RRset of the change is about the zone itself.
    if (res.status === 404 && !/entity\.change/.test(res.text)) throw new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.opts.label}: no managed zone ${zone.name} (${zone.dnsName}) any more (${reason})`);
    return { applied: false, reason };
  }

  private async base(signal: AbortSignal): Promise<string> {
    return `/projects/${encodeURIComponent(await this.opts.project(signal))}`;
  }

  /** Zones by id, as the recordings address them (the API takes the zone's name too). */
  private async zonePath(zone: ManagedZone, signal: AbortSignal): Promise<string> {
    return `${await this.base(signal)}/managedZones/${encodeURIComponent(zone.id)}`;
  }

  /** Follows nextPageToken until the last page. */
  private async paged<T>(path: string, field: string, query: Record<string, string>, signal: AbortSignal, zone?: string): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    do {
      const page = (await this.http.request('GET', path, { signal, query: { ...query, pageToken }, ...(zone ? { zone } : {}) })).json<Record<string, unknown> & { nextPageToken?: string }>();
      out.push(...((page[field] as T[] | undefined) ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }
}

/** Google's error text: `{"error": {"code", "message", "errors": [{"reason"}]}}`. */
export function googleError(_status: number, body: string): string | undefined {
  try {
    const e = (JSON.parse(body) as { error?: { message?: string; errors?: { reason?: string }[] } }).error;
    if (!e?.message) return undefined;
    const reason = e.errors?.[0]?.reason;
    return reason ? `${e.message} (${reason})` : e.message;
  } catch {
    return undefined;
  }
}
