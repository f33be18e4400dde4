import { canonicalName, relativeName } from '../../dns-name.js';
import { jsonDetail } from '../api-error-detail.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import type { ApiZone } from '../zone-walk.js';
import { INFOMANIAK_API, type InfomaniakOptions } from './infomaniak-options.js';

/** A domain product: its id addresses the zone in the DNS calls. */
export interface InfomaniakZone extends ApiZone { productId: number }
/** A DNS record as Infomaniak answers it: `source` relative, `source_idn` absolute, TXT target unquoted. */
export interface InfomaniakRecord { id: string; source: string; source_idn?: string; type: string; ttl: number; target: string; priority?: number | null }
interface Envelope<T> { result: string; data: T }

/**
 * Infomaniak's API v1: the domain is a product looked up by name (service_name=domain), and its
 * DNS records are one per value, listed whole, created with source/target and deleted by id.
 */
export class InfomaniakClient implements PerValueApi<InfomaniakZone> {
  private readonly http: ProviderHttp;

  constructor(opts: InfomaniakOptions) {
    this.http = apiClientHttp('Infomaniak', INFOMANIAK_API, opts, {
      ...tokenAuth('Bearer', opts.token),
      authHint: 'it needs an API token with the "domain" scope, of a user with technical rights on the domain',
      errorDetail: (_status, body) => jsonDetail(body, (j) => (j.error as { description?: string } | undefined)?.description ?? j.error),
    });
  }

  async findZone(candidate: string, signal: AbortSignal): Promise<InfomaniakZone | undefined> {
    const products = await this.products(signal, candidate);
    const hit = products.find((p) => canonicalName(p.customer_name) === candidate);
    return hit ? { name: candidate, productId: hit.id } : undefined;
  }

  async list(zone: InfomaniakZone, signal: AbortSignal): Promise<ValueRecord[]> {
    const res = await this.http.request('GET', `/1/domain/${zone.productId}/dns/record`, { signal, zone: zone.name });
    return res.json<Envelope<InfomaniakRecord[]>>().data.map((r) => ({
      id: String(r.id), name: recordName(r, zone), type: r.type, ttl: r.ttl,
      data: r.type === 'MX' ? `${r.priority ?? 0} ${r.target.toLowerCase()}` : ['CNAME', 'NS'].includes(r.type) ? r.target.toLowerCase() : r.target,
    }));
  }

  async create(zone: InfomaniakZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    const [priority, host] = r.type === 'MX' ? r.data.trim().split(/\s+/) : [];
    const rel = relativeName(r.name, zone.name);
    await this.http.request('POST', `/1/domain/${zone.productId}/dns/record`, {
      signal, zone: zone.name,
      json: { type: r.type, source: rel === '@' ? '.' : rel, target: host ?? r.data, ttl: r.ttl, ...(priority !== undefined ? { priority: Number(priority) } : {}) },
    });
  }

  async remove(zone: InfomaniakZone, r: ValueRecord, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `/1/domain/${zone.productId}/dns/record/${encodeURIComponent(r.id)}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.products(signal)).map((p) => canonicalName(p.customer_name));
  }

  private async products(signal: AbortSignal, name?: string): Promise<{ id: number; customer_name: string }[]> {
    const res = await this.http.request('GET', '/1/product', { signal, query: { service_name: 'domain', customer_name: name } });
    return res.json<Envelope<{ id: number; customer_name: string }[]>>().data;
  }
}

/** The record's absolute name: `source_idn` when given, else `source` in the zone ('.' or '' is the apex). */
function recordName(r: InfomaniakRecord, zone: ApiZone): string {
  if (r.source_idn) return canonicalName(r.source_idn);
  return canonicalName(r.source === '.' || r.source === '' ? zone.name : `${r.source}.${zone.name}`);
}
