import { createHash } from 'node:crypto';
import { CertfleetError } from '../../errors.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ProviderHttp, type OutgoingRequest } from '../provider-http.js';

/** A record as the API answers it (as recorded): one value each. */
export interface OvhRecord { id: number; zone: string; subDomain: string; fieldType: string; target: string; ttl: number }
export interface NewOvhRecord { fieldType: string; subDomain: string; target: string; ttl: number }

export const OVH_AUTH_HINT = 'the consumer key needs GET on /domain/zone and GET, POST, DELETE on /domain/zone/* (and must not be expired or revoked)';

/**
 * OVH API 1.0 on ProviderHttp. Every request but /auth/time is signed: `$1$` + SHA-1 of
 * application secret, consumer key, method, full URL, body and timestamp joined by `+`, the
 * timestamp on the server's clock (the offset from /auth/time, asked once).
 */
export class OvhClient {
  private readonly http: ProviderHttp;
  private readonly timeUrl: string;
  private delta: Promise<number> | undefined;

  constructor(private readonly opts: { label: string; apiUrl: string; applicationKey: string; applicationSecret: string; consumerKey: string; fetch?: FetchLike; now: () => number }) {
    this.timeUrl = `${opts.apiUrl.replace(/\/+$/, '')}/auth/time`;
    this.http = new ProviderHttp({
      label: opts.label, baseUrl: opts.apiUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}),
      auth: (req, signal) => (req.url === this.timeUrl ? {} : this.sign(req, signal)),
      secrets: () => [opts.applicationSecret, opts.consumerKey],
      authHint: OVH_AUTH_HINT,
      // A wrong application secret makes a wrong signature, which OVH answers 400.
      authRefused: (status, body) => status === 400 && /INVALID_SIGNATURE|Invalid signature/.test(body),
      errorDetail: ovhError,
    });
  }

  /** The zones of the account (the recorded path has the trailing slash). */
  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.http.request('GET', '/domain/zone/', { signal })).json<string[]>();
  }

  /** Record ids of the zone, all or those of one subdomain ('' for the apex) and type. */
  async recordIds(zone: string, signal: AbortSignal, filter?: { fieldType: string; subDomain: string }): Promise<number[]> {
    return (await this.http.request('GET', `/domain/zone/${encodeURIComponent(zone)}/record`, { signal, zone, ...(filter ? { query: { fieldType: filter.fieldType, subDomain: filter.subDomain } } : {}) })).json<number[]>();
  }

  /** One record; undefined when it is gone (deleted in between). */
  async record(zone: string, id: number, signal: AbortSignal): Promise<OvhRecord | undefined> {
    const res = await this.http.request('GET', `/domain/zone/${encodeURIComponent(zone)}/record/${id}`, { signal, accept: [404] });
    return res.status === 404 ? undefined : res.json<OvhRecord>();
  }

  async create(zone: string, record: NewOvhRecord, signal: AbortSignal): Promise<OvhRecord> {
    return (await this.http.request('POST', `/domain/zone/${encodeURIComponent(zone)}/record`, { signal, zone, json: record })).json<OvhRecord>();
  }

  /** Whether it deleted the record (false: it was gone already). */
  async delete(zone: string, id: number, signal: AbortSignal): Promise<boolean> {
    return (await this.http.request('DELETE', `/domain/zone/${encodeURIComponent(zone)}/record/${id}`, { signal, accept: [404] })).status !== 404;
  }

  /** Changes reach OVH's name servers only when the zone is refreshed. */
  async refresh(zone: string, signal: AbortSignal): Promise<void> {
    await this.http.request('POST', `/domain/zone/${encodeURIComponent(zone)}/refresh`, { signal, zone });
  }

  private async sign(req: OutgoingRequest, signal: AbortSignal): Promise<Record<string, string>> {
    const timestamp = String(Math.floor(this.opts.now() / 1000) + await this.serverDelta(signal));
    const signature = `$1$${createHash('sha1').update([this.opts.applicationSecret, this.opts.consumerKey, req.method, req.url, req.body ?? '', timestamp].join('+')).digest('hex')}`;
    return { 'x-ovh-application': this.opts.applicationKey, 'x-ovh-consumer': this.opts.consumerKey, 'x-ovh-timestamp': timestamp, 'x-ovh-signature': signature };
  }

  /** Seconds the server's clock is ahead of ours: OVH refuses a timestamp far from its own. */
  private serverDelta(signal: AbortSignal): Promise<number> {
    this.delta ??= this.http.request('GET', '/auth/time', { signal }).then((res) => {
      const server = Number(res.text.trim());
      if (!Number.isFinite(server)) throw new CertfleetError('DNS_PROVIDER', `${this.opts.label}: GET /auth/time answered ${JSON.stringify(res.text.slice(0, 40))}, not a time`, { retryable: true });
      return server - Math.floor(this.opts.now() / 1000);
    }).catch((err: unknown) => { this.delta = undefined; throw err; });
    return this.delta;
  }
}

/** OVH's error text: `{"message": …}`, with `errorCode` or `class` when there is one. */
export function ovhError(_status: number, body: string): string | undefined {
  try {
    const e = JSON.parse(body) as { message?: string; errorCode?: string; class?: string };
    if (!e.message) return undefined;
    const code = e.errorCode ?? e.class;
    return code ? `${e.message} (${code})` : e.message;
  } catch {
    return undefined;
  }
}
