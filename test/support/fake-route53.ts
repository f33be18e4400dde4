import { randomBytes } from 'node:crypto';
import aws4 from 'aws4';
import { XMLParser } from 'fast-xml-parser';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/**
 * A Route 53 stand-in built from dns-lexicon's recordings (test/cassettes/route53): the
 * 2013-04-01 XML paths, ListHostedZonesByName and ListResourceRecordSets answers in the recorded
 * shape (MaxItems 100, IsTruncated, and the Next* markers AWS documents for longer lists),
 * ChangeResourceRecordSets applied all or nothing with the recorded InvalidChangeBatch error for
 * a duplicate value, and SigV4 checked the way AWS does: the signature recomputed from the
 * headers the request says it signed (SignatureDoesNotMatch, InvalidClientTokenId).
 */
export interface FakeRoute53 {
  api: FakeApiServer;
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry it as X-Amz-Security-Token (temporary keys). */
  sessionToken?: string;
  /** TXT texts at a name (unquoted), in the zone of that name. */
  txt(fqdn: string): string[];
  /** Adds a record set directly (e.g. an A set or an alias set certfleet must leave alone). */
  put(zoneName: string, set: FakeSet): void;
  /** Hosted zone ids by name and privacy. */
  zoneId(name: string, privateZone?: boolean): string;
  /** How many record sets a page holds (100 as recorded; smaller to exercise pagination). */
  pageSize: number;
  stop(): Promise<void>;
}

export interface FakeSet { name: string; type: string; ttl: number; values: string[]; alias?: boolean }
interface Zone { id: string; name: string; private: boolean; sets: FakeSet[] }

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (n) => ['Change', 'ResourceRecord'].includes(n) });

export async function startFakeRoute53(zones: { name: string; private?: boolean }[], creds: { sessionToken?: string } = {}): Promise<FakeRoute53> {
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString('base64');
  registerSecret(secretAccessKey);
  if (creds.sessionToken) registerSecret(creds.sessionToken);
  const state: Zone[] = zones.map((z) => ({
    id: `Z${randomBytes(10).toString('hex').toUpperCase()}`, name: z.name.toLowerCase(), private: z.private ?? false,
    sets: [
      { name: z.name, type: 'NS', ttl: 172800, values: ['ns-831.awsdns-39.net.', 'ns-422.awsdns-52.com.'] },
      { name: z.name, type: 'SOA', ttl: 900, values: ['ns-831.awsdns-39.net. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'] },
    ],
  }));
  const fake: Partial<FakeRoute53> = { pageSize: 100 };

  const handle = (req: FakeRequest): FakeAnswer => {
    const denied = checkSignature(req, accessKeyId, secretAccessKey, creds.sessionToken);
    if (denied) return denied;
    const path = req.url.pathname;
    if (req.method === 'GET' && path === '/2013-04-01/hostedzonesbyname') return listZones(state, req.url.searchParams);
    const m = /^\/2013-04-01\/hostedzone\/([A-Z0-9]+)\/rrset\/?$/.exec(path);
    if (!m) return error(404, 'Sender', 'UnknownOperationException', `no such operation ${req.method} ${path}`);
    const zone = state.find((z) => z.id === m[1]);
    if (!zone) return error(404, 'Sender', 'NoSuchHostedZone', `No hosted zone found with ID: ${m[1]}`);
    if (req.method === 'GET') return listSets(zone, req.url.searchParams, fake.pageSize!);
    if (req.method === 'POST') return change(zone, req.body);
    return error(405, 'Sender', 'MethodNotAllowed', 'method not allowed');
  };

  const api = await startFakeApiServer(handle);
  const zoneOf = (fqdn: string) => state.filter((z) => !z.private && (fqdn === z.name || fqdn.endsWith(`.${z.name}`))).sort((a, b) => b.name.length - a.name.length)[0];
  return Object.assign(fake, {
    api, url: api.url, accessKeyId, secretAccessKey, ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
    txt: (fqdn: string) => {
      const name = fqdn.toLowerCase().replace(/\.$/, '');
      const set = zoneOf(name)?.sets.find((s) => s.name === name && s.type === 'TXT');
      return (set?.values ?? []).map((v) => (v.match(/"((?:[^"\\]|\\.)*)"/g) ?? []).map((p) => p.slice(1, -1).replace(/\\(.)/g, '$1')).join(''));
    },
    put: (zoneName: string, set: FakeSet) => { state.find((z) => z.name === zoneName)!.sets.push(set); },
    zoneId: (name: string, privateZone = false) => state.find((z) => z.name === name && z.private === privateZone)!.id,
    stop: () => api.stop(),
  }) as FakeRoute53;
}

/** SigV4 as AWS checks it: the signature over the headers the request lists as signed, with our copy of the secret. */
function checkSignature(req: FakeRequest, accessKeyId: string, secret: string, sessionToken: string | undefined): FakeAnswer | undefined {
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return error(403, 'Sender', 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const [, keyId, , region, service, signedHeaders, signature] = m;
  if (keyId !== accessKeyId || (sessionToken !== undefined && req.headers['x-amz-security-token'] !== sessionToken)) {
    return error(403, 'Sender', 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  const headers: Record<string, string> = {};
  for (const h of signedHeaders!.split(';')) headers[h] = String(req.headers[h] ?? '');
  const again = aws4.sign({ host: headers.host ?? '', path: `${req.url.pathname}${req.url.search}`, method: req.method, service: service!, region: region!, headers, ...(req.body ? { body: req.body } : {}) }, { accessKeyId, secretAccessKey: secret, ...(sessionToken ? { sessionToken } : {}) });
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(again.headers?.Authorization ?? ''))?.[1];
  if (region !== 'us-east-1' || service !== 'route53' || expected !== signature) {
    return error(403, 'Sender', 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
  return undefined;
}

function listZones(state: Zone[], q: URLSearchParams): FakeAnswer {
  const sorted = [...state].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const from = q.get('dnsname') ? sorted.findIndex((z) => `${z.name}.` === q.get('dnsname') && (!q.get('hostedzoneid') || z.id === q.get('hostedzoneid'))) : 0;
  const page = sorted.slice(Math.max(from, 0), Math.max(from, 0) + 100);
  const next = sorted[Math.max(from, 0) + 100];
  const zones = page.map((z) => `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}.</Name><CallerReference>${z.id.toLowerCase()}</CallerReference><Config><Comment>Test</Comment><PrivateZone>${z.private}</PrivateZone></Config><ResourceRecordSetCount>${z.sets.length}</ResourceRecordSetCount></HostedZone>`).join('');
  const more = next ? `<IsTruncated>true</IsTruncated><NextDNSName>${next.name}.</NextDNSName><NextHostedZoneId>${next.id}</NextHostedZoneId>` : '<IsTruncated>false</IsTruncated>';
  return xml(200, `<ListHostedZonesByNameResponse xmlns="${XMLNS}"><HostedZones>${zones}</HostedZones>${more}<MaxItems>100</MaxItems></ListHostedZonesByNameResponse>`);
}

function listSets(zone: Zone, q: URLSearchParams, pageSize: number): FakeAnswer {
  const sets = zone.sets;
  const from = q.get('name') ? sets.findIndex((s) => `${s.name}.` === q.get('name') && (!q.get('type') || s.type === q.get('type'))) : 0;
  const start = Math.max(from, 0);
  const page = sets.slice(start, start + pageSize);
  const next = sets[start + pageSize];
  const body = page.map((s) => (s.alias
    ? `<ResourceRecordSet><Name>${s.name}.</Name><Type>${s.type}</Type><AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>${escapeXml(s.values[0]!)}.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>`
    : `<ResourceRecordSet><Name>${s.name}.</Name><Type>${s.type}</Type><TTL>${s.ttl}</TTL><ResourceRecords>${s.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`)).join('');
  const more = next ? `<IsTruncated>true</IsTruncated><NextRecordName>${next.name}.</NextRecordName><NextRecordType>${next.type}</NextRecordType>` : '<IsTruncated>false</IsTruncated>';
  return xml(200, `<ListResourceRecordSetsResponse xmlns="${XMLNS}"><ResourceRecordSets>${body}</ResourceRecordSets>${more}<MaxItems>${pageSize}</MaxItems></ListResourceRecordSetsResponse>`);
}

interface XmlChange { Action: string; ResourceRecordSet: { Name: string; Type: string; TTL?: string; ResourceRecords?: { ResourceRecord?: { Value: string }[] } } }

/** All changes validated against the zone first, then applied: Route 53's batches are atomic. */
function change(zone: Zone, body: string): FakeAnswer {
  const doc = parser.parse(body) as { ChangeResourceRecordSetsRequest?: { ChangeBatch?: { Changes?: { Change?: XmlChange[] } } } };
  const changes = doc.ChangeResourceRecordSetsRequest?.ChangeBatch?.Changes?.Change ?? [];
  if (changes.length === 0) return error(400, 'Sender', 'InvalidInput', 'Invalid XML ; cvc-complex-type.2.4.b: The content of element \'Changes\' is not complete.');
  const next = zone.sets.map((s) => ({ ...s }));
  const problems: string[] = [];
  for (const c of changes) {
    const rs = c.ResourceRecordSet;
    const name = rs.Name.toLowerCase().replace(/\.$/, '');
    const values = (rs.ResourceRecords?.ResourceRecord ?? []).map((r) => r.Value);
    const ttl = Number(rs.TTL);
    if (name !== zone.name && !name.endsWith(`.${zone.name}`)) problems.push(`RRSet with DNS name ${rs.Name} is not permitted in zone ${zone.name}.`);
    // Route 53 refuses a TXT character-string over 255 characters.
    const tooLong = rs.Type === 'TXT' ? values.find((v) => (v.match(/"((?:[^"\\]|\\.)*)"/g) ?? [v]).some((part) => part.length - 2 > 255)) : undefined;
    if (tooLong) problems.push(`Invalid Resource Record: 'FATAL problem: TXTRDATATooLong (Value is too long) encountered with '${tooLong.slice(0, 40)}''`);
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup) problems.push(`Duplicate Resource Record: '${dup}'`);
    const i = next.findIndex((s) => s.name === name && s.type === rs.Type);
    if (c.Action === 'CREATE' && i >= 0) problems.push(`Tried to create resource record set [name='${name}.', type='${rs.Type}'] but it already exists`);
    else if (c.Action === 'DELETE' && i < 0) problems.push(`Tried to delete resource record set [name='${name}.', type='${rs.Type}'] but it was not found`);
    else if (c.Action === 'DELETE' && (next[i]!.ttl !== ttl || [...next[i]!.values].sort().join('\n') !== [...values].sort().join('\n'))) {
      problems.push(`Tried to delete resource record set [name='${name}.', type='${rs.Type}'] but the values provided do not match the current values`);
    } else if (c.Action === 'DELETE') next.splice(i, 1);
    else if (i >= 0) next[i] = { name, type: rs.Type, ttl, values };
    else next.push({ name, type: rs.Type, ttl, values });
  }
  if (problems.length) return error(400, 'Sender', 'InvalidChangeBatch', `[${problems.join(', ')}]`);
  zone.sets = next;
  const id = `C${randomBytes(10).toString('hex').toUpperCase()}`;
  return xml(200, `<ChangeResourceRecordSetsResponse xmlns="${XMLNS}"><ChangeInfo><Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt><Comment>certfleet</Comment></ChangeInfo></ChangeResourceRecordSetsResponse>`);
}

function xml(status: number, body: string): FakeAnswer {
  return { status, body: `<?xml version="1.0"?>\n${body}`, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomBytes(16).toString('hex') } };
}

/** The ErrorResponse shape recorded for the duplicate-create cassette. */
function error(status: number, type: string, code: string, message: string): FakeAnswer {
  return xml(status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomBytes(16).toString('hex')}</RequestId></ErrorResponse>`);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
