import { canonicalName, relativeName } from '../../dns-name.js';
import { allPages } from '../api-pages.js';
import { apiErrorText } from '../api-error-detail.js';
import { dataFromApi, mxParts } from '../api-values.js';
import type { ApiZone } from '../zone-walk.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import { quoteTxt } from '../txt-presentation.js';
import { VULTR_API, type VultrOptions } from './vultr-options.js';

/** The answer shapes, as recorded (test/cassettes/vultr). */
export interface VultrRecord { id: string; type: string; name: string; data: string; priority: number; ttl: number }
interface VultrMeta { meta?: { links?: { next?: string } } }
interface VultrRecordPage extends VultrMeta { records: VultrRecord[] }
interface VultrDomainPage extends VultrMeta { domains: { domain: string }[] }

/**
 * Vultr API v2: domains by name, records one per value by UUID; TXT data is stored quoted, the
 * apex is the empty name; lists in pages linked by a `meta.links.next` cursor.
 */
export class VultrClient implements PerValueApi<ApiZone> {
  private readonly http: ProviderHttp;

  constructor(opts: VultrOptions) {
    this.http = apiClientHttp('Vultr', VULTR_API, opts, {
      ...tokenAuth('Bearer', opts.apiKey), errorDetail: apiErrorText,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      authHint: 'the API key must be enabled and its access control must allow this machine\'s IP address (Account → API)',
    });
  }

  /** The account's domain list, as recorded (the API's single-domain lookup never was). */
  async findZone(name: string, signal: AbortSignal): Promise<ApiZone | undefined> {
    const found = (await this.zones(signal)).find((d) => d === name);
    return found === undefined ? undefined : { name: found };
  }

  async list({ name: zone }: ApiZone, signal: AbortSignal): Promise<ValueRecord[]> {
    return (await this.pages<VultrRecordPage>(`/domains/${encodeURIComponent(zone)}/records`, zone, signal)).flatMap((p) => p.records).map((r) => ({
      id: r.id, name: canonicalName(r.name ? `${r.name}.${zone}` : zone), type: r.type, data: dataFromApi(r.type, r.data, { priority: r.priority, quotedTxt: true }), ttl: r.ttl,
    }));
  }

  async create({ name: zone }: ApiZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    const { value, priority } = mxParts(r.type, r.data);
    const name = relativeName(r.name, zone);
    await this.http.request('POST', `/domains/${encodeURIComponent(zone)}/records`, {
      signal, zone,
      json: { type: r.type, name: name === '@' ? '' : name, data: r.type === 'TXT' ? quoteTxt(value) : value, priority: priority ?? 0, ttl: r.ttl },
    });
  }

  async remove({ name: zone }: ApiZone, { id }: ValueRecord, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `/domains/${encodeURIComponent(zone)}/records/${encodeURIComponent(id)}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<VultrDomainPage>('/domains', undefined, signal)).flatMap((p) => p.domains.map((d) => canonicalName(d.domain)));
  }

  private pages<T extends VultrMeta>(path: string, zone: string | undefined, signal: AbortSignal): Promise<T[]> {
    return allPages(
      async (cursor: string | undefined) => (await this.http.request('GET', path, { signal, ...(zone ? { zone } : {}), query: { cursor } })).json<T>(),
      (body) => body.meta?.links?.next,
    );
  }
}
