import { canonicalName, relativeName, withTrailingDot } from '../../dns-name.js';
import { allPages } from '../api-pages.js';
import { apiErrorText } from '../api-error-detail.js';
import { dataFromApi, mxParts } from '../api-values.js';
import type { ApiZone } from '../zone-walk.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import { DIGITALOCEAN_API, type DigitalOceanOptions } from './digitalocean-options.js';

/** The answer shapes, as recorded (test/cassettes/digitalocean). */
export interface DoRecord { id: number; type: string; name: string; data: string; priority: number | null; ttl: number }
interface DoPages { links?: { pages?: { next?: string } } }
interface DoRecordPage extends DoPages { domain_records: DoRecord[] }
interface DoDomainPage extends DoPages { domains: { name: string }[] }

const HOSTS = new Set(['CNAME', 'NS', 'MX']);

/**
 * DigitalOcean API v2: a domain is addressed by its name, records one per value by numeric id;
 * lists come in pages of 20 with `links.pages.next`, whose `page` is asked for next.
 */
export class DigitalOceanClient implements PerValueApi<ApiZone> {
  private readonly http: ProviderHttp;

  constructor(opts: DigitalOceanOptions) {
    this.http = apiClientHttp('DigitalOcean', DIGITALOCEAN_API, opts, {
      ...tokenAuth('Bearer', opts.apiToken), errorDetail: apiErrorText,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      authHint: 'the token needs write scope (a custom-scoped token: domain read, create, update and delete)',
    });
  }

  async findZone(name: string, signal: AbortSignal): Promise<ApiZone | undefined> {
    const res = await this.http.request('GET', `/domains/${encodeURIComponent(name)}`, { signal, accept: [404] });
    return res.status === 404 ? undefined : { name: canonicalName(res.json<{ domain: { name: string } }>().domain.name) };
  }

  async list({ name: zone }: ApiZone, signal: AbortSignal): Promise<ValueRecord[]> {
    const all = await this.pages<DoRecordPage>(`/domains/${encodeURIComponent(zone)}/records`, zone, signal);
    return all.flatMap((p) => p.domain_records).map((r) => ({
      id: String(r.id), name: canonicalName(r.name === '@' ? zone : `${r.name}.${zone}`), type: r.type, data: dataFromApi(r.type, r.data, { priority: r.priority, quotedTxt: false }), ttl: r.ttl,
    }));
  }

  async create({ name: zone }: ApiZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    const { value, priority } = mxParts(r.type, r.data);
    await this.http.request('POST', `/domains/${encodeURIComponent(zone)}/records`, {
      signal, zone,
      json: { type: r.type, name: relativeName(r.name, zone), data: HOSTS.has(r.type) ? withTrailingDot(value) : value, ttl: r.ttl, ...(priority !== undefined ? { priority } : {}) },
    });
  }

  async remove({ name: zone }: ApiZone, { id }: ValueRecord, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `/domains/${encodeURIComponent(zone)}/records/${id}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<DoDomainPage>('/domains', undefined, signal)).flatMap((p) => p.domains.map((d) => canonicalName(d.name)));
  }

  /** Every page: the first, then the `page` of each `links.pages.next`. */
  private pages<T extends DoPages>(path: string, zone: string | undefined, signal: AbortSignal): Promise<T[]> {
    return allPages(
      async (page: string | undefined) => (await this.http.request('GET', path, { signal, ...(zone ? { zone } : {}), query: { page } })).json<T>(),
      (body) => { const next = body.links?.pages?.next; return next ? new URL(next).searchParams.get('page') : undefined; },
    );
  }
}
