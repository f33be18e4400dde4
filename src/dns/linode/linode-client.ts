import { canonicalName, relativeName } from '../../dns-name.js';
import { allPages } from '../api-pages.js';
import { apiErrorText } from '../api-error-detail.js';
import { dataFromApi, mxParts } from '../api-values.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import { LINODE_API, type LinodeOptions } from './linode-options.js';

/** The answer shapes, as recorded (test/cassettes/linode). */
export interface LinodeDomain { id: number; domain: string; ttl_sec: number }
export interface LinodeRecord { id: number; type: string; name: string; target: string; priority: number; ttl_sec: number }
interface LinodePage<T> { data: T[]; page: number; pages: number }

export interface LinodeZone { id: number; name: string; ttl: number }

/**
 * Linode API v4: a domain is found by name with an `X-Filter` header and addressed by its
 * numeric id; records one per value; lists in pages (`page` of `pages`). `ttl_sec` 0 means the
 * domain's default.
 */
export class LinodeClient implements PerValueApi<LinodeZone> {
  private readonly http: ProviderHttp;

  constructor(opts: LinodeOptions) {
    this.http = apiClientHttp('Linode', LINODE_API, opts, {
      ...tokenAuth('Bearer', opts.apiToken), errorDetail: apiErrorText,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      authHint: 'the token needs the Domains scope with Read/Write (domains:read_write)',
    });
  }

  async findZone(name: string, signal: AbortSignal): Promise<LinodeZone | undefined> {
    const found = await this.pages<LinodeDomain>('/domains', undefined, signal, { 'x-filter': JSON.stringify({ domain: name }) });
    const d = found.find((x) => canonicalName(x.domain) === name);
    return d ? { id: d.id, name: canonicalName(d.domain), ttl: d.ttl_sec } : undefined;
  }

  async list(zone: LinodeZone, signal: AbortSignal): Promise<ValueRecord[]> {
    return (await this.pages<LinodeRecord>(`/domains/${zone.id}/records`, zone.name, signal)).map((r) => ({
      id: String(r.id), name: canonicalName(r.name ? `${r.name}.${zone.name}` : zone.name), type: r.type,
      data: dataFromApi(r.type, r.target, { priority: r.priority, quotedTxt: false }), ttl: r.ttl_sec || zone.ttl,
    }));
  }

  async create(zone: LinodeZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    const { value, priority } = mxParts(r.type, r.data);
    const name = relativeName(r.name, zone.name);
    await this.http.request('POST', `/domains/${zone.id}/records`, {
      signal, zone: zone.name,
      json: { type: r.type, name: name === '@' ? '' : name, target: value, ttl_sec: r.ttl, ...(priority !== undefined ? { priority } : {}) },
    });
  }

  async remove(zone: LinodeZone, { id }: ValueRecord, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `/domains/${zone.id}/records/${id}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<LinodeDomain>('/domains', undefined, signal)).map((d) => canonicalName(d.domain));
  }

  private async pages<T>(path: string, zone: string | undefined, signal: AbortSignal, headers?: Record<string, string>): Promise<T[]> {
    const pages = await allPages(
      async (page: number | undefined) => (await this.http.request('GET', path, { signal, ...(zone ? { zone } : {}), ...(headers ? { headers } : {}), query: { page } })).json<LinodePage<T>>(),
      (body) => (body.page < body.pages ? body.page + 1 : undefined),
    );
    return pages.flatMap((p) => p.data);
  }
}
