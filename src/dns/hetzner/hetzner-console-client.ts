import { canonicalName, relativeName } from '../../dns-name.js';
import { apiErrorText } from '../api-error-detail.js';
import { dataFromApi } from '../api-values.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { allPages } from '../api-pages.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import { HETZNER_CONSOLE_API, type HetznerOptions } from './hetzner-options.js';

/*
 * The older Hetzner DNS Console API (dns.hetzner.com/api/v1), written from its documentation:
 * no recorded traffic of it exists here. Token in `Auth-API-Token`; zones by `?name=` (404 when
 * there is none); records one per value with `zone_id`; lists paged by `page` up to
 * `meta.pagination.last_page`.
 */
export interface HetznerConsoleZone { id: string; name: string; ttl: number }
export interface HetznerConsoleRecord { id: string; zone_id: string; type: string; name: string; value: string; ttl?: number }
interface Paged { meta?: { pagination?: { page: number; last_page: number } } }

export class HetznerConsoleClient implements PerValueApi<HetznerConsoleZone> {
  private readonly http: ProviderHttp;

  constructor(opts: HetznerOptions) {
    this.http = apiClientHttp('Hetzner', HETZNER_CONSOLE_API, opts, {
      ...tokenAuth('', opts.apiToken, 'auth-api-token'), errorDetail: apiErrorText,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
      authHint: 'it must be a DNS Console API token (DNS Console → API tokens), not a Cloud project token (use api: cloud for that)',
    });
  }

  async findZone(name: string, signal: AbortSignal): Promise<HetznerConsoleZone | undefined> {
    const res = await this.http.request('GET', '/zones', { signal, accept: [404], query: { name } });
    if (res.status === 404) return undefined;
    const z = res.json<{ zones: HetznerConsoleZone[] }>().zones.find((x) => canonicalName(x.name) === name);
    return z ? { id: z.id, name: canonicalName(z.name), ttl: z.ttl } : undefined;
  }

  async list(zone: HetznerConsoleZone, signal: AbortSignal): Promise<ValueRecord[]> {
    const pages = await this.pages<{ records: HetznerConsoleRecord[] }>('/records', { zone_id: zone.id }, zone.name, signal);
    return pages.flatMap((p) => p.records).map((r) => ({
      id: r.id, name: canonicalName(r.name === '@' ? zone.name : `${r.name}.${zone.name}`), type: r.type, data: dataFromApi(r.type, r.value, { quotedTxt: false }), ttl: r.ttl ?? zone.ttl,
    }));
  }

  async create(zone: HetznerConsoleZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    await this.http.request('POST', '/records', { signal, zone: zone.name, json: { zone_id: zone.id, type: r.type, name: relativeName(r.name, zone.name), value: r.data, ttl: r.ttl } });
  }

  async remove(_zone: HetznerConsoleZone, { id }: ValueRecord, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `/records/${encodeURIComponent(id)}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<{ zones: HetznerConsoleZone[] }>('/zones', {}, undefined, signal)).flatMap((p) => p.zones.map((z) => canonicalName(z.name)));
  }

  private pages<T>(path: string, query: Record<string, string>, zone: string | undefined, signal: AbortSignal): Promise<(T & Paged)[]> {
    return allPages(
      async (page: number | undefined) => (await this.http.request('GET', path, { signal, ...(zone ? { zone } : {}), query: { ...query, page } })).json<T & Paged>(),
      (body) => { const p = body.meta?.pagination; return p && p.page < p.last_page ? p.page + 1 : undefined; },
    );
  }
}
