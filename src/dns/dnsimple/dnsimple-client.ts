import { canonicalName, relativeName } from '../../dns-name.js';
import { CertfleetError } from '../../errors.js';
import { jsonDetail } from '../api-error-detail.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { apiClientHttp, tokenAuth, type ProviderHttp, type ProviderRequest } from '../provider-http.js';
import { unquoteTxt } from '../txt-presentation.js';
import type { ApiZone } from '../zone-walk.js';
import { DNSIMPLE_API, type DnsimpleOptions } from './dnsimple-options.js';

/** A zone record as DNSimple answers it: `name` relative ('' for the apex). */
export interface DnsimpleRecord { id: number; zone_id: string; name: string; content: string; ttl: number; priority: number | null; type: string; system_record?: boolean }
interface Page<T> { data: T[]; pagination?: { current_page: number; total_pages: number } }

/**
 * DNSimple's API v2: the account id first (configured, or the token's one account), domains
 * found by name, and zone records one per value, listed page by page.
 */
export class DnsimpleClient implements PerValueApi<ApiZone> {
  private readonly http: ProviderHttp;
  private account: Promise<string> | undefined;

  constructor(private readonly opts: DnsimpleOptions) {
    this.http = apiClientHttp('DNSimple', DNSIMPLE_API, opts, {
      ...tokenAuth('Bearer', opts.token),
      authHint: 'it needs an account or user API token of the account that has the zone',
      errorDetail: (_status, body) => jsonDetail(body, (j) => j.message),
    });
  }

  async findZone(candidate: string, signal: AbortSignal): Promise<ApiZone | undefined> {
    const domains = await this.pages<{ name: string }>(`/${await this.accountId(signal)}/domains`, { signal, query: { name_like: candidate } });
    return domains.some((d) => canonicalName(d.name) === candidate) ? { name: candidate } : undefined;
  }

  async list(zone: ApiZone, signal: AbortSignal, at?: { name: string; type: string }): Promise<ValueRecord[]> {
    const query = at ? { type: at.type, name: dnsimpleName(at.name, zone) } : {};
    const records = await this.pages<DnsimpleRecord>(`${await this.zonePath(zone, signal)}/records`, { signal, zone: zone.name, query });
    return records.map((r) => ({
      id: String(r.id), name: canonicalName(r.name === '' ? zone.name : `${r.name}.${zone.name}`), type: r.type, ttl: r.ttl,
      data: r.type === 'TXT' ? unquoteTxt(r.content) : r.type === 'MX' ? `${r.priority ?? 0} ${r.content.toLowerCase()}` : ['CNAME', 'NS'].includes(r.type) ? r.content.toLowerCase() : r.content,
    }));
  }

  async create(zone: ApiZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    const [priority, host] = r.type === 'MX' ? r.data.trim().split(/\s+/) : [];
    await this.http.request('POST', `${await this.zonePath(zone, signal)}/records`, {
      signal, zone: zone.name,
      json: { type: r.type, name: dnsimpleName(r.name, zone), content: host ?? r.data, ttl: r.ttl, ...(priority !== undefined ? { priority: Number(priority) } : {}) },
    });
  }

  async remove(zone: ApiZone, r: ValueRecord, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `${await this.zonePath(zone, signal)}/records/${encodeURIComponent(r.id)}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<{ name: string }>(`/${await this.accountId(signal)}/domains`, { signal })).map((d) => canonicalName(d.name));
  }

  private async zonePath(zone: ApiZone, signal: AbortSignal): Promise<string> {
    return `/${await this.accountId(signal)}/zones/${encodeURIComponent(zone.name)}`;
  }

  /** Every page of a list (DNSimple pages by 30 unless asked otherwise). */
  private async pages<T>(path: string, req: ProviderRequest): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const res = (await this.http.request('GET', path, { ...req, query: { ...req.query, ...(page > 1 ? { page } : {}) } })).json<Page<T>>();
      out.push(...res.data);
      if (!res.pagination || res.pagination.current_page >= res.pagination.total_pages) return out;
    }
  }

  private accountId(signal: AbortSignal): Promise<string> {
    if (this.opts.accountId !== undefined) return Promise.resolve(this.opts.accountId);
    if (!this.account) {
      const p = (async () => {
        const accounts = (await this.http.request('GET', '/accounts', { signal })).json<{ data: { id: number }[] }>().data;
        if (accounts.length === 1) return String(accounts[0]!.id);
        throw new CertfleetError('DNS_PROVIDER', `DNSimple provider ${this.opts.id}: the token reaches ${accounts.length} accounts (${accounts.map((a) => a.id).join(', ')}); set account_id to the one that has the zones`);
      })();
      // A failed lookup is asked again next time.
      p.catch(() => { if (this.account === p) this.account = undefined; });
      this.account = p;
    }
    return this.account;
  }
}

/** DNSimple's record name: relative to the zone, '' for the apex. */
function dnsimpleName(name: string, zone: ApiZone): string {
  const rel = relativeName(name, zone.name);
  return rel === '@' ? '' : rel;
}
