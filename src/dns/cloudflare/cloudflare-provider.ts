import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { absoluteRRsetName, recordsOf, rrsetsOf, type RRset } from '../rrset.js';
import { quoteTxt } from '../txt-presentation.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ProviderHttp, type ProviderRequest } from '../provider-http.js';
import { ZoneWalk } from '../zone-walk.js';

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

export interface CloudflareOptions {
  id: string;
  apiToken: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
  /** Retries of an answer 429 (rate limited), honouring Retry-After. */
  maxRateLimitRetries?: number;
}

interface Envelope<T> { success: boolean; errors?: { code: number; message: string }[]; result: T; result_info?: { page: number; total_pages: number } }
interface CfRecord { id: string; type: string; name: string; content: string; ttl?: number; priority?: number }

/** Cloudflare error codes that mean "already so" for our purposes (the first is in the recorded traffic: HTTP 400). */
const IDENTICAL_RECORD_EXISTS = 81058;
const RECORD_DOES_NOT_EXIST = 81044;
/** The page size the recorded traffic uses for zones and records; Cloudflare caps what it returns per page. */
const PER_PAGE = 100;

export class CloudflareProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  /** Cloudflare refuses TTLs above one day (1 means automatic). */
  readonly maxTtl = 86_400;
  private readonly http: ProviderHttp;
  private readonly zoneIds: ZoneWalk<string>;
  private readonly recordIds = new Map<string, string>();

  constructor(opts: CloudflareOptions) {
    this.id = opts.id;
    this.http = new ProviderHttp({
      label: `Cloudflare provider ${opts.id}`,
      baseUrl: opts.apiUrl ?? CLOUDFLARE_API,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      auth: () => ({ authorization: `Bearer ${opts.apiToken}` }),
      secrets: () => [opts.apiToken],
      authHint: 'the API token needs Zone:Read and DNS:Edit on this zone',
      errorDetail: (_status, body) => apiErrors(body).map((e) => `${e.code} ${e.message}`).join('; ') || undefined,
      maxRetries: opts.maxRateLimitRetries ?? 3,
    });
    // `name` is documented (developers.cloudflare.com/api: zones list), though not in the recordings.
    this.zoneIds = new ZoneWalk(`Cloudflare provider ${opts.id}`, async (candidate, signal) =>
      (await this.http.request('GET', '/zones', { signal, query: { name: candidate } })).json<Envelope<{ id: string; name: string }[]>>().result[0]?.id, 'the token may not read it');
  }

  /** Each value is one POST; Cloudflare's "identical record exists" means not created. */
  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const zoneId = await this.zoneId(zone, signal);
    const created: DnsRecord[] = [];
    for (const r of records) {
      const name = absoluteName(r.name, zone);
      const res = await this.http.request('POST', `/zones/${zoneId}/dns_records`, { signal, json: { type: 'TXT', name, content: quoteTxt(r.data), ttl: Math.max(r.ttl, 60) }, accept: [400] });
      const env = res.json<Envelope<CfRecord>>();
      if (res.status === 400) {
        if (codes(env).includes(IDENTICAL_RECORD_EXISTS)) continue;
        throw this.failure(`POST /zones/${zoneId}/dns_records`, 400, env);
      }
      this.recordIds.set(recordKey(zoneId, name, r.data), env.result.id);
      created.push(r);
    }
    return created;
  }

  /** A value counts as deleted when one of its record ids was deleted; one already gone does not. */
  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const zoneId = await this.zoneId(zone, signal);
    const deleted: DnsRecord[] = [];
    for (const r of records) {
      const name = absoluteName(r.name, zone);
      const key = recordKey(zoneId, name, r.data);
      const ids = this.recordIds.has(key) ? [this.recordIds.get(key)!] : await this.findRecordIds(zoneId, name, r.data, signal);
      let gone = false;
      for (const recordId of ids) {
        const res = await this.http.request('DELETE', `/zones/${zoneId}/dns_records/${recordId}`, { signal, accept: [400, 404] });
        if (res.status === 200) gone = true;
        else if (res.status === 400 && !codes(parseEnvelope(res.text)).includes(RECORD_DOES_NOT_EXIST)) throw this.failure(`DELETE /zones/${zoneId}/dns_records`, 400, parseEnvelope(res.text));
      }
      this.recordIds.delete(key);
      if (gone) deleted.push(r);
    }
    return deleted;
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    const zones = await this.pages<{ name: string }>('/zones', {}, signal);
    return zones.map((z) => canonicalName(z.name));
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const sets = new Map<string, RRset>();
    for (const r of await this.allRecords(zone, signal)) {
      const name = canonicalName(r.name);
      const k = `${name} ${r.type}`;
      const set = sets.get(k) ?? { name, type: r.type, ttl: r.ttl ?? 1, values: [] };
      set.values.push(r.type === 'MX' ? `${r.priority ?? 0} ${r.content.toLowerCase()}` : ['CNAME', 'NS'].includes(r.type) ? r.content.toLowerCase() : r.content);
      sets.set(k, set);
    }
    return recordsOf(zone, [...sets.values()]);
  }

  /** One call to the batch endpoint: Cloudflare applies its deletes and posts all or none. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    if (replace.length === 0 && clear.length === 0) return [];
    const zoneId = await this.zoneId(zone, signal);
    const current = await this.allRecords(zone, signal);
    const gone = new Set([...clear.map((r) => absoluteRRsetName(zone, r)), ...replace].map((r) => `${r.name} ${r.type}`));
    const deletes = current.filter((r) => gone.has(`${canonicalName(r.name)} ${r.type}`)).map((r) => ({ id: r.id }));
    const posts = replace.flatMap((r) => r.values.map((v) => {
      if (r.type !== 'MX') return { type: r.type, name: r.name, content: v, ttl: r.ttl };
      const [priority, host] = v.trim().split(/\s+/);
      return { type: r.type, name: r.name, content: host ?? '', priority: Number(priority), ttl: r.ttl };
    }));
    await this.http.request('POST', `/zones/${zoneId}/dns_records/batch`, { signal, json: { deletes, posts } });
    return recordsOf(zone, replace);
  }

  private async allRecords(zone: string, signal: AbortSignal): Promise<CfRecord[]> {
    const zoneId = await this.zoneId(zone, signal);
    return this.pages<CfRecord>(`/zones/${zoneId}/dns_records`, {}, signal);
  }

  private async findRecordIds(zoneId: string, name: string, value: string, signal: AbortSignal): Promise<string[]> {
    const list = await this.pages<CfRecord>(`/zones/${zoneId}/dns_records`, { type: 'TXT', name }, signal);
    return list.filter((rec) => rec.content === value || rec.content === quoteTxt(value)).map((rec) => rec.id);
  }

  /** Every page of a list, as result_info says (a list was cut at the first page before). */
  private async pages<T>(path: string, query: NonNullable<ProviderRequest['query']>, signal: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const env = (await this.http.request('GET', path, { signal, query: { ...(page > 1 ? { page } : {}), per_page: PER_PAGE, ...query } })).json<Envelope<T[]>>();
      out.push(...env.result);
      if (page >= (env.result_info?.total_pages ?? 1)) return out;
    }
  }

  /** The id of the Cloudflare zone holding `zone`: the name itself, else its parents. */
  private zoneId(zone: string, signal: AbortSignal): Promise<string> {
    return this.zoneIds.find(zone, signal);
  }

  private failure(what: string, status: number, env: Envelope<unknown> | undefined): CertfleetError {
    const detail = (env?.errors ?? []).map((e) => `${e.code} ${e.message}`).join('; ') || `HTTP ${status}`;
    return new CertfleetError('DNS_PROVIDER', `Cloudflare provider ${this.id}: ${what} refused (HTTP ${status}: ${detail})`);
  }
}

function recordKey(zoneId: string, name: string, value: string): string {
  return `${zoneId} ${name.toLowerCase()} ${value}`;
}

function parseEnvelope(text: string): Envelope<unknown> | undefined {
  try {
    return JSON.parse(text) as Envelope<unknown>;
  } catch {
    return undefined;
  }
}

function apiErrors(text: string): { code: number; message: string }[] {
  return parseEnvelope(text)?.errors ?? [];
}

function codes(env: Envelope<unknown> | undefined): number[] {
  return (env?.errors ?? []).map((e) => e.code);
}
