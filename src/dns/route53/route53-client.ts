import aws4 from 'aws4';
import { XMLParser } from 'fast-xml-parser';
import { canonicalName } from '../../dns-name.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ProviderHttp, type OutgoingRequest } from '../provider-http.js';
import { awsErrorDetail, type AwsCredentialChain } from './route53-credentials.js';

export const ROUTE53_API = 'https://route53.amazonaws.com';
const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
/** Route 53 speaks XML only; no `accept: application/json` as ProviderHttp's default (boto sends none either). */
const ACCEPT = { accept: '*/*' };

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** Lower case, no trailing dot. */
  name: string;
  private: boolean;
}

/** One resource record set; `values` as Route 53 has them (TXT quoted). */
export interface ResourceRecordSet {
  /** Lower case, no trailing dot, Route 53's octal escapes (`\052` for `*`) decoded. */
  name: string;
  type: string;
  ttl: number;
  values: string[];
  /** Alias, weighted, latency … sets: not plain record sets, so certfleet leaves them alone. */
  special: boolean;
}

export interface Change { action: 'CREATE' | 'DELETE' | 'UPSERT'; set: Omit<ResourceRecordSet, 'special'> }

interface XmlZone { Id: string; Name: string; Config?: { PrivateZone?: string } }
interface XmlSet {
  Name: string; Type: string; TTL?: string; SetIdentifier?: string; AliasTarget?: unknown;
  ResourceRecords?: { ResourceRecord?: { Value: string }[] };
}

const parser = new XMLParser({
  ignoreAttributes: true, parseTagValue: false,
  isArray: (name) => name === 'HostedZone' || name === 'ResourceRecordSet' || name === 'ResourceRecord',
});

/**
 * The Route 53 API (2013-04-01, XML) on ProviderHttp, every request signed with SigV4 by aws4
 * (a small, long-maintained signer; the AWS SDK's Route 53 client is megabytes for three calls).
 * Paths and bodies as dns-lexicon's recordings show them; pagination as AWS documents it.
 */
export class Route53Client {
  private readonly http: ProviderHttp;

  constructor(label: string, apiUrl: string, private readonly credentials: AwsCredentialChain, fetch?: FetchLike) {
    this.http = new ProviderHttp({
      label, baseUrl: apiUrl, ...(fetch ? { fetch } : {}),
      auth: (req, signal) => this.sign(req, signal),
      secrets: () => credentials.secrets(),
      errorDetail: awsErrorDetail,
      // Route 53 answers a rate limit with 400 Throttling, and a change too soon after another with PriorRequestNotComplete.
      throttled: (status, body) => status === 400 && /^(Throttling|PriorRequestNotComplete)\b/.test(awsErrorDetail(status, body) ?? ''),
      authHint: 'the IAM policy needs route53:ListHostedZonesByName, route53:ListResourceRecordSets and route53:ChangeResourceRecordSets (on the hosted zone)',
    });
  }

  async listHostedZones(signal: AbortSignal): Promise<HostedZone[]> {
    const out: HostedZone[] = [];
    let query: Record<string, string> = {};
    for (;;) {
      const res = await this.http.request('GET', '/2013-04-01/hostedzonesbyname', { signal, query, headers: ACCEPT });
      const page = (parser.parse(res.text) as { ListHostedZonesByNameResponse?: { HostedZones?: { HostedZone?: XmlZone[] }; IsTruncated?: string; NextDNSName?: string; NextHostedZoneId?: string } }).ListHostedZonesByNameResponse;
      for (const z of page?.HostedZones?.HostedZone ?? []) {
        out.push({ id: z.Id.replace(/^\/hostedzone\//, ''), name: decodeName(z.Name), private: z.Config?.PrivateZone === 'true' });
      }
      if (page?.IsTruncated !== 'true' || !page.NextDNSName) return out;
      query = { dnsname: page.NextDNSName, ...(page.NextHostedZoneId ? { hostedzoneid: page.NextHostedZoneId } : {}) };
    }
  }

  /** Every record set of the zone, all pages. */
  async listRecordSets(zone: HostedZone, signal: AbortSignal): Promise<ResourceRecordSet[]> {
    const out: ResourceRecordSet[] = [];
    let query: Record<string, string> = {};
    for (;;) {
      const res = await this.http.request('GET', `/2013-04-01/hostedzone/${zone.id}/rrset`, { signal, query, zone: zone.name, headers: ACCEPT });
      const page = (parser.parse(res.text) as { ListResourceRecordSetsResponse?: { ResourceRecordSets?: { ResourceRecordSet?: XmlSet[] } | ''; IsTruncated?: string; NextRecordName?: string; NextRecordType?: string; NextRecordIdentifier?: string } }).ListResourceRecordSetsResponse;
      const sets = page?.ResourceRecordSets === '' ? [] : page?.ResourceRecordSets?.ResourceRecordSet ?? [];
      for (const s of sets) {
        out.push({
          name: decodeName(s.Name), type: s.Type, ttl: Number(s.TTL ?? 0),
          values: (s.ResourceRecords?.ResourceRecord ?? []).map((r) => r.Value.trim()),
          special: s.SetIdentifier !== undefined || s.AliasTarget !== undefined,
        });
      }
      if (page?.IsTruncated !== 'true' || !page.NextRecordName) return out;
      query = { name: page.NextRecordName, ...(page.NextRecordType ? { type: page.NextRecordType } : {}), ...(page.NextRecordIdentifier ? { identifier: page.NextRecordIdentifier } : {}) };
    }
  }

  /** One ChangeBatch: Route 53 applies all of it or none. */
  async changeRecordSets(zone: HostedZone, changes: Change[], signal: AbortSignal): Promise<void> {
    const body = `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Comment>certfleet</Comment><Changes>${changes.map(changeXml).join('')}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
    await this.http.request('POST', `/2013-04-01/hostedzone/${zone.id}/rrset/`, { signal, zone: zone.name, raw: { body, contentType: 'text/xml' }, headers: ACCEPT });
  }

  private async sign(req: OutgoingRequest, signal: AbortSignal): Promise<Record<string, string>> {
    const creds = await this.credentials.get(signal);
    const url = new URL(req.url);
    const signed = aws4.sign({
      host: url.host, path: `${url.pathname}${url.search}`, method: req.method, service: 'route53', region: 'us-east-1',
      headers: { ...req.headers }, ...(req.body !== undefined ? { body: req.body } : {}),
    }, creds);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers ?? {})) if (k.toLowerCase() !== 'host' && v !== undefined) out[k.toLowerCase()] = String(v);
    return out;
  }
}

function changeXml(c: Change): string {
  const records = c.set.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('');
  return `<Change><Action>${c.action}</Action><ResourceRecordSet><Name>${escapeXml(c.set.name)}.</Name><Type>${c.set.type}</Type><TTL>${c.set.ttl}</TTL><ResourceRecords>${records}</ResourceRecords></ResourceRecordSet></Change>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Route 53 writes characters outside a-z0-9-_ as three-digit octal escapes (`\052` for `*`). */
function decodeName(name: string): string {
  return canonicalName(name.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
}
