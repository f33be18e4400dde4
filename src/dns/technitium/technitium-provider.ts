import { CertfleetError } from '../../errors.js';
import { absoluteName, type DnsProvider, type DnsRecord } from '../dns-provider.js';

export interface TechnitiumOptions {
  id: string;
  apiUrl: string;
  /** A permanent API token (preferred), or a user and password to log in with. */
  token?: string;
  username?: string;
  password?: string;
  /** Seconds after which the server deletes a challenge record by itself, if cleanup never came. */
  expiryTtl?: number;
  fetch?: typeof fetch;
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
export class TechnitiumProvider implements DnsProvider {
  readonly id: string;
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private session: Promise<string> | undefined;
  private tokenAsParameter = false;

  constructor(private readonly opts: TechnitiumOptions) {
    this.id = opts.id;
    this.base = opts.apiUrl.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? fetch;
    if (!opts.token && !(opts.username && opts.password)) throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${opts.id}: needs token, or username and password`);
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    for (const r of records) {
      await this.change('/api/zones/records/add', zone, r, signal, ALREADY_EXISTS, {
        ttl: String(r.ttl), ...(this.opts.expiryTtl ? { expiryTtl: String(this.opts.expiryTtl) } : {}),
      });
    }
    return records;
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    for (const r of records) await this.change('/api/zones/records/delete', zone, r, signal, NO_SUCH_RECORD, {});
    return records;
  }

  private async change(path: string, zone: string, r: DnsRecord, signal: AbortSignal, fine: RegExp, extra: Record<string, string>): Promise<void> {
    if (r.type !== 'TXT') throw new CertfleetError('DNS_PROVIDER', `Technitium provider ${this.id}: only TXT records are supported, not ${r.type}`);
    const params = { domain: absoluteName(r.name, zone), zone: zone.replace(/\.$/, ''), type: 'TXT', text: r.data, ...extra };
    const env = await this.call(path, params, zone, signal);
    if (env.status === 'ok' || (env.status === 'error' && fine.test(env.errorMessage ?? ''))) return;
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
    let res: Response;
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
