import { canonicalName, relativeName } from '../../dns-name.js';
import { jsonDetail } from '../api-error-detail.js';
import type { NewRecord, PerValueApi, ValueRecord } from '../per-value-provider.js';
import { apiClientHttp, type ProviderHttp } from '../provider-http.js';
import type { ApiZone } from '../zone-walk.js';
import { PORKBUN_API, type PorkbunOptions } from './porkbun-options.js';

/** A record as Porkbun answers it: `name` absolute, `ttl` and `prio` as strings, TXT content unquoted. */
export interface PorkbunRecord { id: string; name: string; type: string; content: string; ttl: string; prio: string | null }

/** Porkbun says "unknown domain" and "bad key" with HTTP 400 and a message. */
const INVALID_DOMAIN = /invalid domain/i;
const BAD_KEY = /api key|api access/i;
/** Porkbun's smallest TTL. */
const MIN_TTL = 600;

/**
 * Porkbun's JSON API v3: every call is a POST whose body carries the two keys; records are one
 * per value, created by name and deleted by id. Reads are repeated after a 5xx (Porkbun's rate
 * limit answers 503), writes are not.
 */
export class PorkbunClient implements PerValueApi<ApiZone> {
  private readonly http: ProviderHttp;

  constructor(private readonly opts: PorkbunOptions) {
    this.http = apiClientHttp('Porkbun', PORKBUN_API, opts, {
      secrets: () => [opts.apiKey, opts.secretApiKey],
      authHint: 'check the API key and secret key, and turn on "API ACCESS" for the domain in Porkbun\'s domain management',
      authRefused: (status, body) => status === 400 && BAD_KEY.test(jsonDetail(body, (j) => j.message) ?? ''),
      errorDetail: (_status, body) => jsonDetail(body, (j) => j.message),
    });
  }

  async findZone(candidate: string, signal: AbortSignal): Promise<ApiZone | undefined> {
    const res = await this.post(`/dns/retrieve/${encodeURIComponent(candidate)}`, {}, signal, { idempotent: true, accept: [400] });
    if (res.status === 400 && INVALID_DOMAIN.test(res.text)) return undefined;
    return { name: candidate, minTtl: MIN_TTL };
  }

  async list(zone: ApiZone, signal: AbortSignal): Promise<ValueRecord[]> {
    const res = await this.post(`/dns/retrieve/${encodeURIComponent(zone.name)}`, {}, signal, { idempotent: true, zone: zone.name });
    return res.json<{ records: PorkbunRecord[] }>().records.map((r) => ({
      id: r.id, name: canonicalName(r.name), type: r.type, ttl: Number(r.ttl),
      data: r.type === 'MX' ? `${r.prio ?? 0} ${r.content.toLowerCase()}` : ['CNAME', 'NS'].includes(r.type) ? r.content.toLowerCase() : r.content,
    }));
  }

  async create(zone: ApiZone, r: NewRecord, signal: AbortSignal): Promise<void> {
    const rel = relativeName(r.name, zone.name);
    const [prio, host] = r.type === 'MX' ? r.data.trim().split(/\s+/) : [];
    await this.post(`/dns/create/${encodeURIComponent(zone.name)}`, {
      type: r.type, content: host ?? r.data, name: rel === '@' ? '' : rel, ttl: r.ttl, ...(prio !== undefined ? { prio } : {}),
    }, signal, { zone: zone.name });
  }

  async remove(zone: ApiZone, r: ValueRecord, signal: AbortSignal): Promise<boolean> {
    await this.post(`/dns/delete/${encodeURIComponent(zone.name)}/${encodeURIComponent(r.id)}`, {}, signal, { zone: zone.name });
    return true;
  }

  private post(path: string, body: Record<string, unknown>, signal: AbortSignal, extra: { idempotent?: boolean; accept?: number[]; zone?: string }) {
    return this.http.request('POST', path, { signal, json: { apikey: this.opts.apiKey, secretapikey: this.opts.secretApiKey, ...body }, ...extra });
  }
}

