import { CertfleetError } from '../../errors.js';
import { ProviderHttp } from '../provider-http.js';
import { AzureToken } from './azure-credentials.js';
import type { AzureOptions } from './azure-options.js';

export const AZURE_API = 'https://management.azure.com';
/** The API version dns-lexicon's recordings use (and the current stable one). */
const API_VERSION = '2018-05-01';

/** A record set as Azure Resource Manager has it (the fields certfleet reads). */
export interface AzureRecordSet {
  /** Relative to the Azure zone, `@` for its apex. */
  name: string;
  /** `Microsoft.Network/dnszones/TXT` */
  type: string;
  etag?: string;
  properties: AzureRecordProperties & { fqdn?: string; targetResource?: { id?: string } };
}

export interface AzureRecordProperties {
  TTL?: number;
  ARecords?: { ipv4Address: string }[];
  AAAARecords?: { ipv6Address: string }[];
  CNAMERecord?: { cname: string };
  MXRecords?: { preference: number; exchange: string }[];
  NSRecords?: { nsdname: string }[];
  PTRRecords?: { ptrdname: string }[];
  SRVRecords?: { priority: number; weight: number; port: number; target: string }[];
  CAARecords?: { flags: number; tag: string; value: string }[];
  TXTRecords?: { value: string[] }[];
}

interface Page<T> { value?: T[]; nextLink?: string }

/** A write refused because the set changed since it was read (HTTP 412 on If-Match / If-None-Match). */
export const CHANGED_SINCE_READ = Symbol('changed since read');

/**
 * Azure DNS on Resource Manager (api-version 2018-05-01): zones of one resource group, record
 * sets listed per type or all, written whole with PUT and deleted with DELETE, each guarded by
 * the set's etag so that two writers never overwrite each other. Paths as recorded by
 * dns-lexicon; nextLink pagination as Resource Manager documents it.
 */
export class AzureClient {
  private readonly http: ProviderHttp;
  private readonly group: string;
  private readonly base: string;

  constructor(private readonly label: string, opts: AzureOptions) {
    const token = new AzureToken({
      label, auth: opts.auth, env: opts.env ?? process.env,
      ...(opts.loginUrl ? { loginUrl: opts.loginUrl } : {}), ...(opts.imdsUrl ? { imdsUrl: opts.imdsUrl } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.base = (opts.apiUrl ?? AZURE_API).replace(/\/+$/, '');
    this.http = new ProviderHttp({
      label, baseUrl: this.base, ...(opts.fetch ? { fetch: opts.fetch } : {}),
      auth: async (_req, signal) => ({ authorization: `Bearer ${await token.get(signal)}` }),
      secrets: () => token.secrets(),
      errorDetail: armErrorDetail,
      authHint: `the identity needs the "DNS Zone Contributor" role on the zones (or resource group ${opts.resourceGroup})`,
    });
    this.group = `/subscriptions/${encodeURIComponent(opts.subscriptionId)}/resourceGroups/${encodeURIComponent(opts.resourceGroup)}/providers/Microsoft.Network`;
  }

  /** The zones of the resource group; undefined when the resource group is not there. */
  async listZones(signal: AbortSignal): Promise<{ name: string }[] | undefined> {
    return this.all<{ name: string }>(`${this.group}/dnsZones`, signal, undefined);
  }

  /** The record sets of a zone: of one type (`TXT`), or all of them (`recordsets`). */
  async listRecordSets(zone: string, type: string, signal: AbortSignal): Promise<AzureRecordSet[]> {
    return (await this.all<AzureRecordSet>(`${this.group}/dnszones/${zone}/${type}`, signal, zone)) ?? [];
  }

  /**
   * Writes a whole record set. With `etag`, only over that version; with `etag: null`, only
   * when the set does not exist yet; CHANGED_SINCE_READ when that does not hold.
   */
  async putRecordSet(zone: string, type: string, name: string, properties: AzureRecordProperties, signal: AbortSignal, etag?: string | null): Promise<AzureRecordSet | typeof CHANGED_SINCE_READ> {
    const res = await this.http.request('PUT', this.setPath(zone, type, name), {
      signal, zone, json: { properties }, query: { 'api-version': API_VERSION }, accept: [412], headers: precondition(etag),
    });
    return res.status === 412 ? CHANGED_SINCE_READ : res.json<AzureRecordSet>();
  }

  async deleteRecordSet(zone: string, type: string, name: string, signal: AbortSignal, etag?: string): Promise<void | typeof CHANGED_SINCE_READ> {
    const res = await this.http.request('DELETE', this.setPath(zone, type, name), { signal, zone, query: { 'api-version': API_VERSION }, accept: [412], headers: precondition(etag) });
    if (res.status === 412) return CHANGED_SINCE_READ;
  }

  private setPath(zone: string, type: string, name: string): string {
    return `${this.group}/dnszones/${zone}/${type}/${encodeURIComponent(name)}`;
  }

  /** Every item of a list, following nextLink (absolute URLs on the same host). */
  private async all<T>(path: string, signal: AbortSignal, zone: string | undefined): Promise<T[] | undefined> {
    const out: T[] = [];
    let next: { path: string; query?: Record<string, string> } | undefined = { path, query: { 'api-version': API_VERSION } };
    while (next) {
      const res = await this.http.request('GET', next.path, { signal, ...(next.query ? { query: next.query } : {}), ...(zone ? { zone } : { accept: [404] }) });
      if (res.status === 404) return undefined;
      const page = res.json<Page<T>>();
      out.push(...(page.value ?? []));
      next = page.nextLink ? this.relative(page.nextLink) : undefined;
    }
    return out;
  }

  private relative(link: string): { path: string } {
    const url = new URL(link);
    const base = new URL(this.base);
    // A nextLink to another host would carry our token elsewhere.
    if (url.origin !== base.origin) throw new CertfleetError('DNS_PROVIDER', `${this.label}: a list answer's nextLink points to ${url.origin}, not ${base.origin}`);
    return { path: `${url.pathname.slice(base.pathname.replace(/\/$/, '').length)}${url.search}` };
  }
}

function precondition(etag: string | null | undefined): Record<string, string> {
  if (etag === null) return { 'if-none-match': '*' };
  return etag ? { 'if-match': etag } : {};
}

/** Resource Manager's `{"error": {"code", "message"}}`; the message names the missing action on 403. */
function armErrorDetail(_status: number, body: string): string | undefined {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    return e?.code ? `${e.code}${e.message ? `: ${e.message}` : ''}` : undefined;
  } catch {
    return undefined;
  }
}
