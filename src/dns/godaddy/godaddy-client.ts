import { canonicalName, relativeName } from '../../dns-name.js';
import { jsonDetail } from '../api-error-detail.js';
import { apiClientHttp, type ProviderHttp } from '../provider-http.js';
import type { ApiRRset, RRsetApi } from '../rrset-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { GODADDY_API, type GodaddyOptions } from './godaddy-options.js';

/** A record as GoDaddy answers it: `name` relative ('@' for the apex), `data` unquoted, MX priority apart. */
export interface GodaddyRecord { type: string; name: string; data: string; ttl: number; priority?: number }

/** GoDaddy refuses TTLs below 600 s. */
const MIN_TTL = 600;

/**
 * GoDaddy's Domains API v1: the records of one type and name are read with GET and replaced with
 * PUT (the whole set, so certfleet serialises the read-modify-write per name), and removed with
 * DELETE when no value is left (an empty PUT is refused).
 */
export class GodaddyClient implements RRsetApi<ApiZone> {
  private readonly http: ProviderHttp;

  constructor(opts: GodaddyOptions) {
    this.http = apiClientHttp('GoDaddy', GODADDY_API, opts, {
      auth: () => ({ authorization: `sso-key ${opts.apiKey}:${opts.apiSecret}` }),
      secrets: () => [opts.apiKey, opts.apiSecret],
      authHint: 'it needs a production API key of the account that owns the domain (GoDaddy also refuses DNS API access to accounts below its own size or plan thresholds)',
      errorDetail: (_status, body) => jsonDetail(body, (j) => (typeof j.message === 'string' ? `${typeof j.code === 'string' ? `${j.code}: ` : ''}${j.message}` : undefined)),
    });
  }

  async findZone(candidate: string, signal: AbortSignal): Promise<ApiZone | undefined> {
    const res = await this.http.request('GET', `/domains/${encodeURIComponent(candidate)}`, { signal, accept: [404] });
    return res.status === 404 ? undefined : { name: candidate, minTtl: MIN_TTL };
  }

  async read(zone: ApiZone, name: string, type: string, signal: AbortSignal): Promise<ApiRRset | undefined> {
    const res = await this.http.request('GET', this.setPath(zone, name, type), { signal, zone: zone.name });
    return fromGodaddy(zone, res.json<GodaddyRecord[]>())[0];
  }

  async write(zone: ApiZone, set: ApiRRset, _existed: boolean, signal: AbortSignal): Promise<void> {
    const path = this.setPath(zone, set.name, set.type);
    if (set.values.length === 0) {
      await this.http.request('DELETE', path, { signal, zone: zone.name, accept: [404] });
      return;
    }
    const name = relativeName(set.name, zone.name);
    await this.http.request('PUT', path, { signal, zone: zone.name, json: set.values.map((v) => toGodaddy(set.type, name, v, set.ttl)) });
  }

  async list(zone: ApiZone, signal: AbortSignal): Promise<ApiRRset[]> {
    const res = await this.http.request('GET', `/domains/${encodeURIComponent(zone.name)}/records`, { signal, zone: zone.name });
    return fromGodaddy(zone, res.json<GodaddyRecord[]>());
  }

  private setPath(zone: ApiZone, name: string, type: string): string {
    return `/domains/${encodeURIComponent(zone.name)}/records/${type}/${encodeURIComponent(relativeName(name, zone.name))}`;
  }
}

/** GoDaddy's records grouped into sets (the first record of a set gives its TTL). */
function fromGodaddy(zone: ApiZone, records: GodaddyRecord[]): ApiRRset[] {
  const sets = new Map<string, ApiRRset>();
  for (const r of records) {
    const name = canonicalName(r.name === '@' ? zone.name : `${r.name}.${zone.name}`);
    const set = sets.get(`${name} ${r.type}`) ?? { name, type: r.type, ttl: r.ttl, values: [] };
    set.values.push(r.type === 'MX' ? `${r.priority ?? 0} ${r.data.toLowerCase()}` : ['CNAME', 'NS'].includes(r.type) ? r.data.toLowerCase() : r.data);
    sets.set(`${name} ${r.type}`, set);
  }
  return [...sets.values()];
}

function toGodaddy(type: string, name: string, value: string, ttl: number): GodaddyRecord {
  if (type !== 'MX') return { type, name, data: value, ttl };
  const [priority, host] = value.trim().split(/\s+/);
  return { type, name, data: host ?? '', ttl, priority: Number(priority) };
}
