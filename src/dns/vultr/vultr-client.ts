import { canonicalName, relativeName } from '../../dns-name.js';
import { allPages } from '../api-pages.js';
import { dataFromApi, mxParts } from '../api-values.js';
import type { ApiRecord, NewRecord, PerValueApi } from '../per-value-provider.js';
import type { ProviderHttp } from '../provider-http.js';
import { tokenHttp } from '../token-http.js';
import { quoteTxt } from '../txt-presentation.js';
import { VULTR_API, type VultrOptions } from './vultr-options.js';

/** The answer shapes, as recorded (test/cassettes/vultr). */
export interface VultrRecord { id: string; type: string; name: string; data: string; priority: number; ttl: number }
interface VultrMeta { meta?: { links?: { next?: string } } }
interface VultrRecordPage extends VultrMeta { records: VultrRecord[] }
interface VultrDomainPage extends VultrMeta { domains: { domain: string }[] }

/**
 * Vultr API v2: domains by name, records one per value by UUID; TXT data is stored quoted, the
 * apex is the empty name; lists in pages linked by a `meta.links.next` cursor.
 */
export class VultrClient implements PerValueApi<string> {
  private readonly http: ProviderHttp;

  constructor(opts: VultrOptions) {
    this.http = tokenHttp({
      label: `Vultr provider ${opts.id}`, baseUrl: opts.apiUrl ?? VULTR_API, token: opts.apiKey, fetch: opts.fetch, maxRetries: opts.maxRetries,
      authHint: 'the API key must be enabled and its access control must allow this machine\'s IP address (Account → API)',
    });
  }

  /** The account's domain list, as recorded (the API's single-domain lookup never was). */
  async zone(name: string, signal: AbortSignal): Promise<string | undefined> {
    return (await this.zones(signal)).find((d) => d === name);
  }

  zoneName(zone: string): string {
    return zone;
  }

  async records(zone: string, signal: AbortSignal): Promise<ApiRecord[]> {
    return (await this.pages<VultrRecordPage>(`/domains/${encodeURIComponent(zone)}/records`, zone, signal)).flatMap((p) => p.records).map((r) => ({
      id: r.id, fqdn: canonicalName(r.name ? `${r.name}.${zone}` : zone), type: r.type, data: dataFromApi(r.type, r.data, { priority: r.priority, quotedTxt: true }), ttl: r.ttl,
    }));
  }

  async create(zone: string, r: NewRecord, signal: AbortSignal): Promise<void> {
    const { value, priority } = mxParts(r.type, r.data);
    const name = relativeName(r.fqdn, zone);
    await this.http.request('POST', `/domains/${encodeURIComponent(zone)}/records`, {
      signal, zone,
      json: { type: r.type, name: name === '@' ? '' : name, data: r.type === 'TXT' ? quoteTxt(value) : value, priority: priority ?? 0, ttl: r.ttl },
    });
  }

  async remove(zone: string, id: string, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request('DELETE', `/domains/${encodeURIComponent(zone)}/records/${encodeURIComponent(id)}`, { signal, accept: [404] });
    return res.status !== 404;
  }

  async zones(signal: AbortSignal): Promise<string[]> {
    return (await this.pages<VultrDomainPage>('/domains', undefined, signal)).flatMap((p) => p.domains.map((d) => canonicalName(d.domain)));
  }

  private pages<T extends VultrMeta>(path: string, zone: string | undefined, signal: AbortSignal): Promise<T[]> {
    return allPages(
      async (cursor: string | undefined) => (await this.http.request('GET', path, { signal, ...(zone ? { zone } : {}), query: { cursor } })).json<T>(),
      (body) => body.meta?.links?.next,
    );
  }
}
