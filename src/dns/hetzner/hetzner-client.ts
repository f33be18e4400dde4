import { sleep } from '../../abort.js';
import { canonicalName } from '../../dns-name.js';
import { CertfleetError } from '../../errors.js';
import { Redactor } from '../../redaction.js';
import { allPages } from '../api-pages.js';
import { apiErrorText } from '../api-error-detail.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import { HETZNER_CLOUD_API, type HetznerOptions } from './hetzner-options.js';

/** The answer shapes, as recorded (test/cassettes/hetzner). */
export interface HetznerZone { id: number; name: string; ttl: number }
export interface HetznerRRset { name: string; type: string; ttl: number | null; records: { value: string }[] }
export interface HetznerAction { id: number; status: 'running' | 'success' | 'error'; error: { code: string; message: string } | null }
interface Pagination { meta?: { pagination?: { next_page: number | null } } }

/**
 * The Hetzner Cloud API's DNS part: zones by name or id, RRsets by name and type, and changes
 * as actions (add_records, remove_records, set_records, change_ttl, delete) that run
 * asynchronously: each is asked about until it has finished.
 */
export class HetznerClient {
  private readonly http: ProviderHttp;
  private readonly label: string;

  constructor(private readonly opts: HetznerOptions) {
    this.label = `Hetzner provider ${opts.id}`;
    this.http = apiClientHttp('Hetzner', HETZNER_CLOUD_API, opts, {
      ...tokenAuth('Bearer', opts.apiToken), errorDetail: apiErrorText,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      authHint: 'the token needs Read & Write permission in the Hetzner Cloud project that holds the zone',
    });
  }

  async zone(name: string, signal: AbortSignal): Promise<HetznerZone | undefined> {
    const res = await this.http.request('GET', `/zones/${encodeURIComponent(name)}`, { signal, accept: [404] });
    if (res.status === 404) return undefined;
    const z = res.json<{ zone: HetznerZone }>().zone;
    return { id: z.id, name: canonicalName(z.name), ttl: z.ttl };
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<{ zones: { name: string }[] } & Pagination>('/zones', undefined, signal)).flatMap((p) => p.zones.map((z) => canonicalName(z.name)));
  }

  /** One RRset (name relative to the zone, '@' for the apex), or undefined. */
  async rrset(zone: HetznerZone, name: string, type: string, signal: AbortSignal): Promise<HetznerRRset | undefined> {
    const res = await this.http.request('GET', `/zones/${zone.id}/rrsets`, { signal, zone: zone.name, query: { type, name } });
    return res.json<{ rrsets: HetznerRRset[] }>().rrsets.find((r) => r.name === name && r.type === type);
  }

  async rrsets(zone: HetznerZone, signal: AbortSignal): Promise<HetznerRRset[]> {
    return (await this.pages<{ rrsets: HetznerRRset[] } & Pagination>(`/zones/${zone.id}/rrsets`, zone.name, signal)).flatMap((p) => p.rrsets);
  }

  /** Creates the RRset when there is none (with this TTL), else adds the values to it. */
  addRecords(zone: HetznerZone, name: string, type: string, ttl: number, values: string[], signal: AbortSignal): Promise<void> {
    return this.action(zone, `${rrsetPath(zone, name, type)}/actions/add_records`, { ttl, records: values.map((value) => ({ value })) }, signal);
  }

  /** Removes the values; the RRset goes when its last value does. */
  removeRecords(zone: HetznerZone, name: string, type: string, values: string[], signal: AbortSignal): Promise<void> {
    return this.action(zone, `${rrsetPath(zone, name, type)}/actions/remove_records`, { records: values.map((value) => ({ value })) }, signal);
  }

  setRecords(zone: HetznerZone, name: string, type: string, values: string[], signal: AbortSignal): Promise<void> {
    return this.action(zone, `${rrsetPath(zone, name, type)}/actions/set_records`, { records: values.map((value) => ({ value })) }, signal);
  }

  changeTtl(zone: HetznerZone, name: string, type: string, ttl: number, signal: AbortSignal): Promise<void> {
    return this.action(zone, `${rrsetPath(zone, name, type)}/actions/change_ttl`, { ttl }, signal);
  }

  /** Deletes the whole RRset; one already gone is no error. */
  async deleteRRset(zone: HetznerZone, name: string, type: string, signal: AbortSignal): Promise<void> {
    const res = await this.http.request('DELETE', rrsetPath(zone, name, type), { signal, accept: [404] });
    if (res.status !== 404) await this.finish(res.json<{ action: HetznerAction }>().action, signal);
  }

  private async action(zone: HetznerZone, path: string, json: unknown, signal: AbortSignal): Promise<void> {
    const res = await this.http.request('POST', path, { signal, zone: zone.name, json });
    await this.finish(res.json<{ action: HetznerAction }>().action, signal);
  }

  /** Waits for an action: `running` until it is `success` or `error`. */
  private async finish(action: HetznerAction, signal: AbortSignal): Promise<void> {
    let a = action;
    while (a.status === 'running') {
      await sleep(this.opts.actionPollMs ?? 500, signal);
      a = (await this.http.request('GET', `/zones/actions/${a.id}`, { signal })).json<{ action: HetznerAction }>().action;
    }
    if (a.status === 'error') {
      const scrub = new Redactor();
      scrub.add([this.opts.apiToken]);
      throw new CertfleetError('DNS_PROVIDER', scrub.redact(`${this.label}: action ${a.id} failed: ${a.error ? `${a.error.code}: ${a.error.message}` : 'no reason given'}`));
    }
  }

  /** Every page: the first, then each `meta.pagination.next_page`. */
  private pages<T extends Pagination>(path: string, zone: string | undefined, signal: AbortSignal): Promise<T[]> {
    return allPages(
      async (page: number | undefined) => (await this.http.request('GET', path, { signal, ...(zone ? { zone } : {}), query: { page } })).json<T>(),
      (body) => body.meta?.pagination?.next_page,
    );
  }
}

function rrsetPath(zone: HetznerZone, name: string, type: string): string {
  return `/zones/${zone.id}/rrsets/${encodeURIComponent(name)}/${encodeURIComponent(type)}`;
}
