import type { FetchLike } from '../../http/pool-fetch.js';
import { ProviderHttp } from '../provider-http.js';

/** An RRset as LiveDNS answers it (as recorded). */
export interface GandiRRset { rrset_name: string; rrset_type: string; rrset_ttl: number; rrset_values: string[] }

export const GANDI_AUTH_HINT = 'the personal access token needs the "Manage domain name technical configurations" permission for this domain (an API key, the access of its user)';

/** Gandi LiveDNS API v5 on ProviderHttp: domains and their RRsets by name and type. */
export class GandiClient {
  private readonly http: ProviderHttp;

  constructor(opts: { label: string; apiUrl: string; authorization: string; fetch?: FetchLike }) {
    this.http = new ProviderHttp({
      label: opts.label, baseUrl: opts.apiUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}),
      auth: () => ({ authorization: opts.authorization }),
      secrets: () => [opts.authorization.replace(/^\S+ /, '')],
      authHint: GANDI_AUTH_HINT,
      errorDetail: gandiError,
    });
  }

  /** Whether LiveDNS serves this domain for the credentials (404 when not). */
  async hasDomain(fqdn: string, signal: AbortSignal): Promise<boolean> {
    return (await this.http.request('GET', `/domains/${encodeURIComponent(fqdn)}`, { signal, accept: [404] })).status === 200;
  }

  /** The domains the credentials reach (from Gandi's documentation: the recordings have no listing). */
  async domains(signal: AbortSignal): Promise<string[]> {
    return (await this.http.request('GET', '/domains', { signal })).json<{ fqdn: string }[]>().map((d) => d.fqdn);
  }

  async rrsets(domain: string, signal: AbortSignal): Promise<GandiRRset[]> {
    return (await this.http.request('GET', `/domains/${encodeURIComponent(domain)}/records`, { signal, zone: domain })).json<GandiRRset[]>();
  }

  /** One RRset; undefined when there is none at the name and type. */
  async rrset(domain: string, name: string, type: string, signal: AbortSignal): Promise<GandiRRset | undefined> {
    const res = await this.http.request('GET', this.path(domain, name, type), { signal, accept: [404] });
    if (res.status === 404) return undefined;
    return res.json<GandiRRset>();
  }

  /** Creates the RRset (POST, as the recordings create one). */
  async create(domain: string, name: string, type: string, values: string[], ttl: number, signal: AbortSignal): Promise<void> {
    await this.http.request('POST', this.path(domain, name, type), { signal, zone: domain, json: { rrset_values: values, rrset_ttl: ttl } });
  }

  /** Replaces the RRset's values and TTL (PUT creates it when it is not there). */
  async replace(domain: string, name: string, type: string, values: string[], ttl: number, signal: AbortSignal): Promise<void> {
    await this.http.request('PUT', this.path(domain, name, type), { signal, zone: domain, json: { rrset_values: values, rrset_ttl: ttl } });
  }

  /** Whether it deleted the RRset (false: there was none). */
  async remove(domain: string, name: string, type: string, signal: AbortSignal): Promise<boolean> {
    return (await this.http.request('DELETE', this.path(domain, name, type), { signal, accept: [404] })).status !== 404;
  }

  private path(domain: string, name: string, type: string): string {
    return `/domains/${encodeURIComponent(domain)}/records/${encodeURIComponent(name)}/${encodeURIComponent(type)}`;
  }
}

/** LiveDNS's error text: `{"code", "message", "object", "cause"}`, and `errors: [{description}]` on a 400. */
export function gandiError(_status: number, body: string): string | undefined {
  try {
    const e = JSON.parse(body) as { message?: string; cause?: string; errors?: { name?: string; description?: string }[] };
    const details = (e.errors ?? []).map((x) => [x.name, x.description].filter(Boolean).join(': ')).filter(Boolean);
    const text = [e.message, ...details].filter(Boolean).join('; ');
    return text || e.cause;
  } catch {
    return undefined;
  }
}
