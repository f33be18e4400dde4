import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { unquoteTxt } from '../../src/dns/txt-presentation.js';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

interface RRset { kind: 'dns#resourceRecordSet'; name: string; type: string; ttl: number; rrdatas: string[] }

export interface FakeGoogleCloudDns {
  server: FakeApiServer;
  /** The API base (`…/dns/v1`) and the token endpoint to put in the key. */
  apiUrl: string;
  tokenUrl: string;
  metadataUrl: string;
  project: string;
  /** A service-account JSON key the fake accepts (its token_uri is the fake's). */
  key: string;
  /** Access tokens issued so far (by the token endpoint and the metadata server). */
  issued: () => number;
  /** TXT texts at a name (unquoted). */
  txt: (fqdn: string) => string[];
  rrsets: (zone: string) => RRset[];
  /** Sets an RRset directly, as another writer would. */
  put: (zone: string, rr: Omit<RRset, 'kind'>) => void;
  stop: () => Promise<void>;
}

const err = (code: number, message: string, reason: string): FakeAnswer => ({ status: code, body: { error: { errors: [{ domain: 'global', reason, message }], code, message } } });
const dot = (n: string) => (n.endsWith('.') ? n : `${n}.`).toLowerCase();

/**
 * Cloud DNS API v1 and Google's OAuth token endpoint as the recordings show them
 * (test/cassettes/googleclouddns): the JWT-bearer grant with a form body, managedZones listed
 * with their ids, rrsets filtered by name and type, and changes that are atomic
 * compare-and-swaps: a deletion must match the RRset exactly (412 conditionNotMet, 404 notFound
 * when it is not there), an addition must not meet an existing RRset (409 alreadyExists). The
 * error bodies are Google's `{error: {code, message, errors: [{reason}]}}`. `pageSize` pages
 * the lists with nextPageToken (off by default: the recordings have no second page).
 */
export async function startFakeGoogleCloudDns(zones: string[], opts: { pageSize?: number; tokenLifetime?: number } = {}): Promise<FakeGoogleCloudDns> {
  const project = 'certfleet-test-209418';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  registerSecret(pem.split('\n')[1]!);
  const email = `certfleet@${project}.iam.gserviceaccount.com`;
  const tokens = new Set<string>();
  const managed = zones.map((z, i) => ({ kind: 'dns#managedZone', name: z.replace(/\./g, '-'), dnsName: dot(z), description: '', id: String(699036609868956548n + BigInt(i)), nameServers: ['ns-cloud-c1.googledomains.com.'], visibility: 'public' }));
  const data = new Map<string, RRset[]>(managed.map((z) => [z.id, [
    { kind: 'dns#resourceRecordSet', name: z.dnsName, type: 'NS', ttl: 21600, rrdatas: ['ns-cloud-c1.googledomains.com.'] },
    { kind: 'dns#resourceRecordSet', name: z.dnsName, type: 'SOA', ttl: 21600, rrdatas: ['ns-cloud-c1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300'] },
  ]]));
  let changeId = 211;

  const issue = (): FakeAnswer => {
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    registerSecret(token);
    tokens.add(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: opts.tokenLifetime ?? 3600 } };
  };

  const grant = (req: FakeRequest): FakeAnswer => {
    const form = new URLSearchParams(req.body);
    const bad = { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' } };
    const [h, c, s] = (form.get('assertion') ?? '').split('.');
    if (!h || !c || !s || !verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))) return bad;
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as { iss?: string; aud?: string; scope?: string; exp?: number; iat?: number };
    if (claims.iss !== email || claims.aud !== `${server.url}/oauth2/v4/token` || !claims.scope?.includes('clouddns') || (claims.exp ?? 0) - (claims.iat ?? 0) > 3600) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT: claims' } };
    return issue();
  };

  const page = <T>(req: FakeRequest, field: string, items: T[], kind: string): FakeAnswer => {
    const start = Number(req.url.searchParams.get('pageToken') ?? 0);
    const size = opts.pageSize ?? items.length;
    const next = start + size < items.length ? { nextPageToken: String(start + size) } : {};
    return { status: 200, body: { kind, [field]: items.slice(start, start + Math.max(size, 1)), ...next } };
  };

  const change = (zoneId: string, body: string): FakeAnswer => {
    const b = JSON.parse(body) as { additions?: Omit<RRset, 'kind'>[]; deletions?: Omit<RRset, 'kind'>[] };
    const sets = data.get(zoneId)!;
    const next = [...sets];
    for (const [i, d] of (b.deletions ?? []).entries()) {
      const at = next.findIndex((s) => s.name === dot(d.name) && s.type === d.type);
      if (at < 0) return err(404, `The 'entity.change.deletions[${i}]' resource named '${d.name} (${d.type})' does not exist.`, 'notFound');
      const cur = next[at]!;
      if (cur.ttl !== d.ttl || JSON.stringify(cur.rrdatas) !== JSON.stringify(d.rrdatas)) return err(412, `Precondition not met for 'entity.change.deletions[${i}]'`, 'conditionNotMet');
      next.splice(at, 1);
    }
    for (const [i, a] of (b.additions ?? []).entries()) {
      if (!a.name || !a.type || !Array.isArray(a.rrdatas) || a.rrdatas.length === 0 || typeof a.ttl !== 'number') return err(400, `Invalid value for 'entity.change.additions[${i}]'`, 'invalid');
      if (!dot(a.name).endsWith(managedOf(zoneId)!.dnsName)) return err(400, `The resource 'entity.change.additions[${i}]' named '${a.name} (${a.type})' is not in the zone`, 'invalid');
      if (next.some((s) => s.name === dot(a.name) && s.type === a.type)) return err(409, `The resource 'entity.change.additions[${i}]' named '${a.name} (${a.type})' already exists`, 'alreadyExists');
      next.push({ kind: 'dns#resourceRecordSet', name: dot(a.name), type: a.type, ttl: a.ttl, rrdatas: [...a.rrdatas] });
    }
    data.set(zoneId, next);
    return { status: 200, body: { kind: 'dns#change', ...(b.additions?.length ? { additions: b.additions.map((a) => ({ kind: 'dns#resourceRecordSet', ...a })) } : {}), ...(b.deletions?.length ? { deletions: b.deletions.map((d) => ({ kind: 'dns#resourceRecordSet', ...d })) } : {}), startTime: new Date().toISOString(), id: String(++changeId), status: 'pending' } };
  };

  const managedOf = (idOrName: string) => managed.find((z) => z.id === idOrName || z.name === idOrName);

  const server: FakeApiServer = await startFakeApiServer((req) => {
    const path = req.url.pathname;
    if (req.method === 'POST' && path === '/oauth2/v4/token') return grant(req);
    if (path.startsWith('/computeMetadata/v1/')) {
      if (req.headers['metadata-flavor'] !== 'Google') return { status: 403, body: 'Missing Metadata-Flavor:Google header.' };
      if (path === '/computeMetadata/v1/instance/service-accounts/default/token') return issue();
      if (path === '/computeMetadata/v1/project/project-id') return { status: 200, body: project };
      return { status: 404, body: 'not found' };
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return { status: 401, body: { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }], status: 'UNAUTHENTICATED' } } };
    const m = /^\/dns\/v1\/projects\/([^/]+)\/managedZones(?:\/([^/]+)(\/rrsets|\/changes))?$/.exec(path);
    if (!m) return err(404, 'Not Found', 'notFound');
    if (m[1] !== project) return err(403, `The caller does not have permission (project ${decodeURIComponent(m[1]!)})`, 'forbidden');
    if (!m[2]) return req.method === 'GET' ? page(req, 'managedZones', managed, 'dns#managedZonesListResponse') : err(405, 'Method not allowed', 'methodNotAllowed');
    const mz = managedOf(decodeURIComponent(m[2]));
    if (!mz) return err(404, `The 'parameters.managedZone' resource named '${m[2]}' does not exist.`, 'notFound');
    if (m[3] === '/changes' && req.method === 'POST') return change(mz.id, req.body);
    if (m[3] === '/rrsets' && req.method === 'GET') {
      const name = req.url.searchParams.get('name');
      const type = req.url.searchParams.get('type');
      if (type && !name) return err(400, 'Invalid value for \'parameters.name\': \'\'', 'invalid');
      return page(req, 'rrsets', data.get(mz.id)!.filter((s) => (!name || s.name === dot(name)) && (!type || s.type === type)), 'dns#resourceRecordSetsListResponse');
    }
    return err(405, 'Method not allowed', 'methodNotAllowed');
  });

  const zoneOf = (fqdn: string) => managed.filter((z) => dot(fqdn).endsWith(z.dnsName)).sort((a, b) => b.dnsName.length - a.dnsName.length)[0]!;
  return {
    server,
    apiUrl: `${server.url}/dns/v1`,
    tokenUrl: `${server.url}/oauth2/v4/token`,
    metadataUrl: `${server.url}/computeMetadata/v1`,
    project,
    key: JSON.stringify({ type: 'service_account', project_id: project, private_key_id: randomBytes(20).toString('hex'), private_key: pem, client_email: email, client_id: '1234567890', token_uri: `${server.url}/oauth2/v4/token` }),
    issued: () => tokens.size,
    txt: (fqdn) => data.get(zoneOf(fqdn).id)!.filter((s) => s.name === dot(fqdn) && s.type === 'TXT').flatMap((s) => s.rrdatas.map(unquoteTxt)),
    rrsets: (zone) => data.get(managed.find((z) => z.dnsName === dot(zone))!.id)!,
    put: (zone, rr) => {
      const id = managed.find((z) => z.dnsName === dot(zone))!.id;
      data.set(id, [...data.get(id)!.filter((s) => !(s.name === dot(rr.name) && s.type === rr.type)), { kind: 'dns#resourceRecordSet', ...rr, name: dot(rr.name) }]);
    },
    stop: () => server.stop(),
  };
}
