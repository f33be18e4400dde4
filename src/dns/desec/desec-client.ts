import { canonicalName, relativeName, withTrailingDot } from '../../dns-name.js';
import { CertfleetError } from '../../errors.js';
import { jsonDetail } from '../api-error-detail.js';
import { apiClientHttp, tokenAuth, type ProviderHttp } from '../provider-http.js';
import type { ApiRRset, RRsetApi } from '../rrset-provider.js';
import { quoteTxt, unquoteTxt } from '../txt-presentation.js';
import type { ApiZone } from '../zone-walk.js';
import { DESEC_API, type DesecOptions } from './desec-options.js';

/** An RRset as deSEC answers it (`records` in presentation form: TXT quoted, host names with the dot). */
export interface DesecRRset { subname: string; name: string; type: string; ttl: number; records: string[] }

/** Types whose value is, or ends in, a host name: deSEC wants it absolute, with the trailing dot. */
const HOST_LAST = new Set(['CNAME', 'NS', 'PTR', 'DNAME', 'MX', 'SRV']);

/**
 * deSEC's REST API (https://desec.readthedocs.io): domains, and RRsets by subname and type.
 * POST creates an RRset, PATCH of one RRset replaces its records (none: deleted).
 */
export class DesecClient implements RRsetApi<ApiZone> {
  private readonly http: ProviderHttp;
  private readonly label: string;

  constructor(opts: DesecOptions) {
    this.label = `deSEC provider ${opts.id}`;
    this.http = apiClientHttp('deSEC', DESEC_API, opts, {
      ...tokenAuth('Token', opts.token),
      authHint: 'the token needs the domain (and, with a token policy, write permission on the RRsets certfleet changes)',
      errorDetail: (_status, body) => jsonDetail(body, (j) => j.detail ?? j),
    });
  }

  async findZone(candidate: string, signal: AbortSignal): Promise<ApiZone | undefined> {
    const res = await this.http.request('GET', `/domains/${encodeURIComponent(candidate)}/`, { signal, accept: [404] });
    if (res.status === 404) return undefined;
    // minimum_ttl: 3600 unless deSEC lowered it for the domain (the recordings scrubbed the body to {}).
    const min = res.json<{ minimum_ttl?: number }>().minimum_ttl;
    return { name: candidate, ...(typeof min === 'number' ? { minTtl: min } : {}) };
  }

  async read(zone: ApiZone, name: string, type: string, signal: AbortSignal): Promise<ApiRRset | undefined> {
    const res = await this.http.request('GET', `/domains/${encodeURIComponent(zone.name)}/rrsets/`, { signal, zone: zone.name, query: { type, subname: subname(name, zone) } });
    const found = res.json<DesecRRset[]>()[0];
    return found ? fromDesec(found) : undefined;
  }

  async write(zone: ApiZone, set: ApiRRset, existed: boolean, signal: AbortSignal): Promise<void> {
    const records = set.values.map((v) => toDesec(set.type, v));
    const sub = subname(set.name, zone);
    if (!existed) {
      await this.http.request('POST', `/domains/${encodeURIComponent(zone.name)}/rrsets/`, { signal, zone: zone.name, json: { subname: sub, type: set.type, ttl: set.ttl, records } });
      return;
    }
    // No `zone`: a 404 here means the RRset went away meanwhile, not the domain.
    await this.http.request('PATCH', `/domains/${encodeURIComponent(zone.name)}/rrsets/${encodeURIComponent(sub || '@')}/${set.type}/`, { signal, json: { records, ttl: set.ttl } });
  }

  /** Above 500 RRsets deSEC answers 400 with a Link to the first page; the pages then link to the next. */
  async list(zone: ApiZone, signal: AbortSignal): Promise<ApiRRset[]> {
    const out: ApiRRset[] = [];
    for (let cursor: string | undefined; ;) {
      const res = await this.http.request('GET', `/domains/${encodeURIComponent(zone.name)}/rrsets/`, { signal, zone: zone.name, query: { cursor }, accept: [400] });
      const link = res.headers.get('link');
      if (res.status === 400) {
        const first = linkCursor(link, 'first');
        if (first === undefined || cursor !== undefined) throw new CertfleetError('DNS_PROVIDER', `${this.label}: GET /domains/${zone.name}/rrsets/: HTTP 400: ${jsonDetail(res.text, (j) => j.detail ?? j) ?? 'refused'}`);
        cursor = first;
        continue;
      }
      out.push(...res.json<DesecRRset[]>().map(fromDesec));
      cursor = linkCursor(link, 'next');
      if (cursor === undefined) return out;
    }
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    const res = await this.http.request('GET', '/domains/', { signal });
    return res.json<{ name: string }[]>().map((d) => canonicalName(d.name));
  }
}

/** deSEC's subname: the name relative to the domain, '' for the apex. */
function subname(name: string, zone: ApiZone): string {
  const rel = relativeName(name, zone.name);
  return rel === '@' ? '' : rel;
}

function fromDesec(rr: DesecRRset): ApiRRset {
  return { name: canonicalName(rr.name), type: rr.type, ttl: rr.ttl, values: rr.records.map((v) => fromDesecValue(rr.type, v)) };
}

function fromDesecValue(type: string, value: string): string {
  if (type === 'TXT') return unquoteTxt(value);
  return HOST_LAST.has(type) ? value.replace(/\.$/, '').toLowerCase() : value;
}

function toDesec(type: string, value: string): string {
  if (type === 'TXT') return quoteTxt(value);
  return HOST_LAST.has(type) ? withTrailingDot(value) : value;
}

/** The cursor of the page a Link header names by `rel` (`<…?cursor=abc>; rel="next"`); '' for the first page. */
export function linkCursor(link: string | null, rel: 'first' | 'next'): string | undefined {
  const part = link?.split(',').find((p) => p.includes(`rel="${rel}"`) || p.includes(`rel=${rel}`));
  const url = part?.match(/<([^>]+)>/)?.[1];
  return url === undefined ? undefined : new URL(url, 'http://x').searchParams.get('cursor') ?? undefined;
}
