import { sleep } from '../../abort.js';
import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { absoluteRRsetName, recordsOf, rrsetsOf, type RRset } from '../rrset.js';
import { quoteTxt } from '../txt-presentation.js';
import { poolFetch, type FetchLike, type FetchLikeResponse } from '../../http/pool-fetch.js';

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

interface Envelope<T> { success: boolean; errors?: { code: number; message: string }[]; result: T }
interface CfRecord { id: string; type: string; name: string; content: string; ttl?: number; priority?: number }

/** Cloudflare error codes that mean "already so" for our purposes. */
const IDENTICAL_RECORD_EXISTS = 81058;
const RECORD_DOES_NOT_EXIST = 81044;

/**
 * Cloudflare API v4 with fetch (the official SDK is 120 MB for four calls). The zone id is found
 * by asking for the zone and then its parents; record ids are kept from the create answer, and
 * recovered by listing when certfleet restarted in between.
 */
export class CloudflareProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  /** Cloudflare refuses TTLs above one day (1 means automatic). */
  readonly maxTtl = 86_400;
  private readonly base: string;
  private readonly fetch: FetchLike;
  private readonly zoneIds = new Map<string, Promise<string>>();
  private readonly recordIds = new Map<string, string>();

  constructor(private readonly opts: CloudflareOptions) {
    this.id = opts.id;
    this.base = (opts.apiUrl ?? CLOUDFLARE_API).replace(/\/+$/, '');
    this.fetch = opts.fetch ?? poolFetch();
  }

  /** Each value is one POST; Cloudflare's "identical record exists" means not created. */
  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const zoneId = await this.zoneId(zone, signal);
    const created: DnsRecord[] = [];
    for (const r of records) {
      const name = absoluteName(r.name, zone);
      try {
        const record = await this.call<CfRecord>('POST', `/zones/${zoneId}/dns_records`, zone, signal, { type: 'TXT', name, content: quoteTxt(r.data), ttl: Math.max(r.ttl, 60) });
        this.recordIds.set(recordKey(zoneId, name, r.data), record.id);
        created.push(r);
      } catch (err) {
        if (!(err instanceof CloudflareApiError && err.codes.includes(IDENTICAL_RECORD_EXISTS))) throw err;
      }
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
      const ids = this.recordIds.has(key) ? [this.recordIds.get(key)!] : await this.findRecordIds(zoneId, zone, name, r.data, signal);
      let gone = false;
      for (const recordId of ids) {
        try {
          await this.call('DELETE', `/zones/${zoneId}/dns_records/${recordId}`, zone, signal);
          gone = true;
        } catch (err) {
          if (!(err instanceof CloudflareApiError && (err.codes.includes(RECORD_DOES_NOT_EXIST) || err.status === 404))) throw err;
        }
      }
      this.recordIds.delete(key);
      if (gone) deleted.push(r);
    }
    return deleted;
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    const zones = await this.call<{ name: string }[]>('GET', '/zones?per_page=50', '(all)', signal);
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
    await this.call('POST', `/zones/${zoneId}/dns_records/batch`, zone, signal, { deletes, posts });
    return recordsOf(zone, replace);
  }

  private async allRecords(zone: string, signal: AbortSignal): Promise<CfRecord[]> {
    const zoneId = await this.zoneId(zone, signal);
    return this.call<CfRecord[]>('GET', `/zones/${zoneId}/dns_records?per_page=5000`, zone, signal);
  }

  private async findRecordIds(zoneId: string, zone: string, name: string, value: string, signal: AbortSignal): Promise<string[]> {
    const list = await this.call<CfRecord[]>('GET', `/zones/${zoneId}/dns_records?type=TXT&name=${encodeURIComponent(name)}&per_page=100`, zone, signal);
    return list.filter((rec) => rec.content === value || rec.content === quoteTxt(value)).map((rec) => rec.id);
  }

  /** The id of the Cloudflare zone holding `zone`: the name itself, else its parents. */
  private zoneId(zone: string, signal: AbortSignal): Promise<string> {
    let p = this.zoneIds.get(zone);
    if (!p) {
      p = (async () => {
        const labels = canonicalName(zone).split('.');
        for (let i = 0; i < labels.length - 1; i++) {
          const candidate = labels.slice(i).join('.');
          const found = await this.call<{ id: string; name: string }[]>('GET', `/zones?name=${encodeURIComponent(candidate)}`, zone, signal);
          if (found[0]) return found[0].id;
        }
        throw new CertfleetError('DNS_ZONE_NOT_FOUND', `Cloudflare provider ${this.id}: no zone for ${zone} in this account (or the token may not read it)`);
      })();
      p.catch(() => this.zoneIds.delete(zone));
      this.zoneIds.set(zone, p);
    }
    return p;
  }

  private async call<T>(method: string, path: string, zone: string, signal: AbortSignal, body?: unknown): Promise<T> {
    const where = `Cloudflare provider ${this.id}, zone ${zone}`;
    for (let attempt = 0; ; attempt++) {
      let res: FetchLikeResponse;
      try {
        res = await this.fetch(`${this.base}${path}`, {
          method, signal,
          headers: { authorization: `Bearer ${this.opts.apiToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw new CertfleetError('DNS_PROVIDER', `${where}: API unreachable: ${(err as Error).message}`, { retryable: true, cause: err });
      }
      if (res.status === 429 && attempt < (this.opts.maxRateLimitRetries ?? 3)) {
        const after = Number(res.headers.get('retry-after'));
        await res.body?.cancel();
        await sleep(Number.isFinite(after) && after >= 0 ? Math.min(after, 60) * 1000 : 1000 * 2 ** attempt, signal);
        continue;
      }
      const text = await res.text();
      let env: Envelope<T> | undefined;
      try {
        env = JSON.parse(text) as Envelope<T>;
      } catch {
        env = undefined;
      }
      if (res.ok && env?.success) return env.result;
      const errors = env?.errors ?? [];
      const detail = errors.length ? errors.map((e) => `${e.code} ${e.message}`).join('; ') : `HTTP ${res.status}`;
      if (res.status === 401 || res.status === 403) throw new CloudflareApiError('DNS_AUTH', `${where}: API token refused (HTTP ${res.status}: ${detail}); it needs Zone:Read and DNS:Edit on this zone`, res.status, errors);
      if (res.status === 429) throw new CloudflareApiError('DNS_PROVIDER', `${where}: rate limited (HTTP 429) after ${attempt} retries`, res.status, errors, true);
      throw new CloudflareApiError('DNS_PROVIDER', `${where}: ${method} failed (HTTP ${res.status}: ${detail})`, res.status, errors, res.status >= 500);
    }
  }
}

function recordKey(zoneId: string, name: string, value: string): string {
  return `${zoneId} ${name.toLowerCase()} ${value}`;
}

export class CloudflareApiError extends CertfleetError {
  readonly codes: number[];

  constructor(code: 'DNS_AUTH' | 'DNS_PROVIDER', message: string, readonly status: number, errors: { code: number }[], retryable = false) {
    super(code, message, { retryable });
    this.codes = errors.map((e) => e.code);
  }
}
