import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName, withoutTrailingDot } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { absoluteRRsetName, recordsOf, rrsetsOf, type RRset } from '../rrset.js';
import { quoteTxt, unquoteTxt } from '../txt-presentation.js';
import { poolFetch, type FetchLike, type FetchLikeResponse } from '../../http/pool-fetch.js';

export interface TechnitiumOptions {
  id: string;
  apiUrl: string;
  /** A permanent API token (preferred), or a user and password to log in with. */
  token?: string;
  username?: string;
  password?: string;
  /** Seconds after which the server deletes a challenge record by itself, if cleanup never came. */
  expiryTtl?: number;
  fetch?: FetchLike;
}

interface Envelope { status: string; errorMessage?: string; token?: string; response?: unknown }

/** Failures that mean "already so" for an idempotent append or delete. */
const ALREADY_EXISTS = /already exists/i;
const NO_SUCH_RECORD = /no such record/i;

/**
 * Technitium DNS Server HTTP API. Every answer is HTTP 200 with a status envelope, mapped to
 * typed errors here. A login session token lives in memory only and is renewed once on
 * `invalid-token`; the token goes in `Authorization: Bearer` (v15+), and in the `token`
 * parameter for servers that ignore the header.
 */
export class TechnitiumProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly base: string;
  private readonly fetch: FetchLike;
  private session: Promise<string> | undefined;
  private tokenAsParameter = false;

  constructor(private readonly opts: TechnitiumOptions) {
    this.id = opts.id;
    this.base = opts.apiUrl.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? poolFetch();
    if (!opts.token && !(opts.username && opts.password)) throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${opts.id}: needs token, or username and password`);
  }

  /** The server answers "already exists" for a value it has: that one is not created. */
  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const created: DnsRecord[] = [];
    for (const r of records) {
      const done = await this.change('/api/zones/records/add', zone, r, signal, ALREADY_EXISTS, {
        ttl: String(r.ttl), ...(this.opts.expiryTtl ? { expiryTtl: String(this.opts.expiryTtl) } : {}),
      });
      if (done) created.push(r);
    }
    return created;
  }

  /** The server answers "no such record" for a value it does not have: that one is not deleted. */
  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const deleted: DnsRecord[] = [];
    for (const r of records) if (await this.change('/api/zones/records/delete', zone, r, signal, NO_SUCH_RECORD, {})) deleted.push(r);
    return deleted;
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    const env = this.ok(await this.call('/api/zones/list', {}, '(all)', signal), 'list zones', '(all)');
    const zones = (env.response as { zones?: { name: string; internal?: boolean; disabled?: boolean }[] } | undefined)?.zones ?? [];
    return zones.filter((z) => !z.internal && !z.disabled).map((z) => canonicalName(z.name));
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    return recordsOf(zone, await this.readZone(zone, signal));
  }

  /**
   * The Technitium API has no transaction: an RRset is replaced by one add with `overwrite`
   * (which replaces the RRset of that type at that name) and adds of the other values; a cleared
   * RRset loses each value read beforehand. A failure midway leaves the earlier calls applied.
   */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    if (clear.length > 0) {
      const current = await this.readZone(zone, signal);
      for (const r of clear.map((c) => absoluteRRsetName(zone, c))) {
        const set = current.find((c) => c.name === r.name && c.type === r.type);
        for (const v of set?.values ?? []) {
          const env = await this.call('/api/zones/records/delete', { domain: r.name, zone, type: r.type, ...rdataParams(r.type, v) }, zone, signal);
          if (env.status !== 'ok' && !NO_SUCH_RECORD.test(env.errorMessage ?? '')) this.ok(env, `delete ${r.name} ${r.type}`, zone);
        }
      }
    }
    const replace = rrsetsOf(zone, records);
    for (const r of replace) {
      for (const [i, v] of r.values.entries()) {
        this.ok(await this.call('/api/zones/records/add', { domain: r.name, zone, type: r.type, ttl: String(r.ttl), ...(i === 0 ? { overwrite: 'true' } : {}), ...rdataParams(r.type, v) }, zone, signal), `add ${r.name} ${r.type}`, zone);
      }
    }
    return recordsOf(zone, replace);
  }

  private async readZone(zone: string, signal: AbortSignal): Promise<RRset[]> {
    const env = this.ok(await this.call('/api/zones/records/get', { domain: zone, zone, listZone: 'true' }, zone, signal), 'read zone', zone);
    const records = (env.response as { records?: { name: string; type: string; ttl: number; disabled?: boolean; rData: Record<string, unknown> }[] } | undefined)?.records ?? [];
    const sets = new Map<string, RRset>();
    for (const r of records) {
      if (r.disabled) continue;
      const value = rdataText(r.type, r.rData);
      if (value === undefined) continue;
      const name = canonicalName(r.name);
      const k = `${name} ${r.type}`;
      const set = sets.get(k) ?? { name, type: r.type, ttl: r.ttl, values: [] };
      set.values.push(value);
      sets.set(k, set);
    }
    return [...sets.values()];
  }

  private ok(env: Envelope, what: string, zone: string): Envelope {
    if (env.status === 'ok') return env;
    throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${this.id}, zone ${zone}: ${what} failed: ${env.errorMessage ?? env.status}`);
  }

  /** True when the server made the change; false when it answered that it was already so (`alreadySo`). */
  private async change(path: string, zone: string, r: DnsRecord, signal: AbortSignal, alreadySo: RegExp, extra: Record<string, string>): Promise<boolean> {
    if (r.type !== 'TXT') throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${this.id}: only TXT records are supported, not ${r.type}`);
    const params = { domain: absoluteName(r.name, zone), zone: withoutTrailingDot(zone), type: 'TXT', text: r.data, ...extra };
    const env = await this.call(path, params, zone, signal);
    if (env.status === 'ok') return true;
    if (env.status === 'error' && alreadySo.test(env.errorMessage ?? '')) return false;
    throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${this.id}, zone ${zone}: ${path.split('/').pop()} ${params.domain} failed: ${env.errorMessage ?? env.status}`);
  }

  /** One API call with authentication: a refused session is renewed once; a refused permanent token is an error. */
  private async call(path: string, params: Record<string, string>, zone: string, signal: AbortSignal): Promise<Envelope> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(signal);
      const env = await this.post(path, params, token, zone, signal);
      if (env.status !== 'invalid-token') return env;
      if (!this.tokenAsParameter && attempt === 0) {
        // An older server ignores the Authorization header: try the parameter once.
        this.tokenAsParameter = true;
        continue;
      }
      if (!this.opts.token && attempt <= 1) {
        this.session = undefined; // the session expired: log in again
        continue;
      }
      throw new CertfleetError('DNS_AUTH', `Technitium provider ${this.id}, zone ${zone}: ${this.opts.token ? 'API token refused' : 'login session refused after logging in again'} (${env.errorMessage ?? 'invalid-token'})`);
    }
  }

  private token(signal: AbortSignal): Promise<string> {
    if (this.opts.token) return Promise.resolve(this.opts.token);
    this.session ??= (async () => {
      const env = await this.post('/api/user/login', { user: this.opts.username!, pass: this.opts.password!, includeInfo: 'false' }, undefined, '', signal);
      if (env.status === 'ok' && env.token) return env.token;
      const why = env.status === '2fa-required' ? 'the account requires two-factor authentication: use a permanent API token instead' : env.errorMessage ?? env.status;
      throw new CertfleetError('DNS_AUTH', `Technitium provider ${this.id}: login as ${this.opts.username!} failed: ${why}`);
    })().catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  private async post(path: string, params: Record<string, string>, token: string | undefined, zone: string, signal: AbortSignal): Promise<Envelope> {
    const body = new URLSearchParams({ ...params, ...(token && this.tokenAsParameter ? { token } : {}) });
    let res: FetchLikeResponse;
    try {
      res = await this.fetch(`${this.base}${path}`, {
        method: 'POST', signal, body,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/x-www-form-urlencoded' },
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${this.id}${zone ? `, zone ${zone}` : ''}: API unreachable: ${(err as Error).message}`, { retryable: true, cause: err });
    }
    const text = await res.text();
    try {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return JSON.parse(text) as Envelope;
    } catch {
      throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${this.id}${zone ? `, zone ${zone}` : ''}: ${path} answered HTTP ${res.status}, not the API's JSON`, { retryable: res.status >= 500 });
    }
  }
}

/** ExternalDNS's text form of a Technitium rData (TXT quoted, host names without dot). */
function rdataText(type: string, d: Record<string, unknown>): string | undefined {
  const host = (v: unknown) => canonicalName(String(v));
  switch (type) {
    case 'A': case 'AAAA': return String(d.ipAddress);
    case 'CNAME': return host(d.cname);
    case 'NS': return host(d.nameServer);
    case 'PTR': return host(d.ptrName);
    case 'MX': return `${String(d.preference)} ${host(d.exchange)}`;
    case 'SRV': return `${String(d.priority)} ${String(d.weight)} ${String(d.port)} ${host(d.target)}`;
    case 'TXT': return quoteTxt(String(d.text));
    default: return undefined;
  }
}

/** The add/delete parameters for a value in ExternalDNS's text form. */
function rdataParams(type: string, v: string): Record<string, string> {
  const parts = v.trim().split(/\s+/);
  switch (type) {
    case 'A': case 'AAAA': return { ipAddress: v };
    case 'CNAME': return { cname: v };
    case 'NS': return { nameServer: v };
    case 'PTR': return { ptrName: v };
    case 'MX': return { preference: parts[0] ?? '10', exchange: parts[1] ?? '' };
    case 'SRV': return { priority: parts[0] ?? '0', weight: parts[1] ?? '0', port: parts[2] ?? '0', target: parts[3] ?? '' };
    case 'TXT': return { text: unquoteTxt(v) };
    default: throw new CertfleetError('DNS_PROVIDER', `record type ${type} is not supported by the Technitium provider`);
  }
}
