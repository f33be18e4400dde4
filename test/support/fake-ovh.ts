import { createHash, randomBytes } from 'node:crypto';
import { unquoteTxt } from '../../src/dns/txt-presentation.js';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

interface OvhRecord { target: string; ttl: number; zone: string; fieldType: string; id: number; subDomain: string }

export interface FakeOvh {
  server: FakeApiServer;
  /** The endpoint base (`…/1.0`). */
  apiUrl: string;
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  /** TXT texts at a name as OVH's name servers serve them: as of the last refresh of the zone. */
  txt: (fqdn: string) => string[];
  /** The zone's records now (refreshed or not). */
  records: (zone: string) => OvhRecord[];
  refreshes: () => number;
  /** Adds a record directly, as another writer would (published at once). */
  put: (zone: string, r: Omit<OvhRecord, 'id' | 'zone'>) => void;
  stop: () => Promise<void>;
}

const notFound = (message = 'This service does not exist'): FakeAnswer => ({ status: 404, body: { class: 'Client::NotFound', message } });

/**
 * The OVH API 1.0 as the recordings show it (test/cassettes/ovh): /auth/time as a bare number,
 * the zone list at /domain/zone/, record ids filtered by fieldType and subDomain, one record
 * per value, and /refresh, which is what publishes the zone (the fake's name servers, `txt`,
 * see changes only after it). It checks the request signature the way OVH does
 * ("$1$" + SHA-1 of secret+consumer+method+url+body+timestamp) against a clock that is
 * `skewSeconds` off the machine's, so a client that ignores /auth/time fails. The error bodies
 * (`{errorCode, httpCode, message}`, `{class, message}`) follow OVH's documentation: the
 * recordings have none.
 */
export async function startFakeOvh(zones: string[], opts: { skewSeconds?: number } = {}): Promise<FakeOvh> {
  const applicationKey = `ak${randomBytes(8).toString('hex')}`;
  const applicationSecret = `as${randomBytes(16).toString('hex')}`;
  const consumerKey = `ck${randomBytes(16).toString('hex')}`;
  registerSecret(applicationSecret);
  registerSecret(consumerKey);
  const skew = opts.skewSeconds ?? 0;
  const serverTime = () => Math.floor(Date.now() / 1000) + skew;
  const data = new Map<string, OvhRecord[]>(zones.map((z) => [z, []]));
  const published = new Map<string, OvhRecord[]>(zones.map((z) => [z, []]));
  let nextId = 1553659740;
  let refreshes = 0;

  const refused = (req: FakeRequest): FakeAnswer | undefined => {
    const h = (n: string) => req.headers[n] as string | undefined;
    if (h('x-ovh-application') !== applicationKey) return { status: 403, body: { errorCode: 'INVALID_KEY', httpCode: '403 Forbidden', message: 'Invalid application key' } };
    if (h('x-ovh-consumer') !== consumerKey) return { status: 403, body: { errorCode: 'INVALID_CREDENTIAL', httpCode: '403 Forbidden', message: 'This credential is not valid' } };
    const ts = Number(h('x-ovh-timestamp'));
    if (!Number.isFinite(ts) || Math.abs(ts - serverTime()) > 30) return { status: 400, body: { errorCode: 'QUERY_TIME_OUT', httpCode: '400 Bad Request', message: 'Query out of time' } };
    const url = `${server.url}${req.url.pathname}${req.url.search}`;
    const expected = `$1$${createHash('sha1').update([applicationSecret, consumerKey, req.method, url, req.body, h('x-ovh-timestamp')].join('+')).digest('hex')}`;
    if (h('x-ovh-signature') !== expected) return { status: 400, body: { errorCode: 'INVALID_SIGNATURE', httpCode: '400 Bad Request', message: 'Invalid signature' } };
    return undefined;
  };

  const server: FakeApiServer = await startFakeApiServer((req) => {
    const path = req.url.pathname;
    if (req.method === 'GET' && path === '/1.0/auth/time') return { status: 200, body: String(serverTime()) };
    const bad = refused(req);
    if (bad) return bad;
    if (req.method === 'GET' && (path === '/1.0/domain/zone/' || path === '/1.0/domain/zone')) return { status: 200, body: [...data.keys()] };
    const m = /^\/1\.0\/domain\/zone\/([^/]+)\/(record|refresh)(?:\/(\d+))?$/.exec(path);
    if (!m) return notFound('Got an invalid (or empty) URL');
    const zone = decodeURIComponent(m[1]!);
    const records = data.get(zone);
    if (!records) return notFound();
    if (m[2] === 'refresh' && req.method === 'POST') {
      refreshes++;
      published.set(zone, records.map((r) => ({ ...r })));
      return { status: 200, body: 'null' };
    }
    if (m[3]) {
      const id = Number(m[3]);
      const rec = records.find((r) => r.id === id);
      if (!rec) return notFound(`The requested object (id = ${id}) does not exist`);
      if (req.method === 'GET') return { status: 200, body: rec };
      if (req.method === 'DELETE') {
        data.set(zone, records.filter((r) => r.id !== id));
        return { status: 200, body: 'null' };
      }
      return { status: 405, body: { message: 'Method not allowed' } };
    }
    if (req.method === 'GET') {
      const type = req.url.searchParams.get('fieldType');
      const sub = req.url.searchParams.get('subDomain');
      return { status: 200, body: records.filter((r) => (type === null || r.fieldType === type) && (sub === null || r.subDomain === sub)).map((r) => r.id) };
    }
    if (req.method === 'POST') {
      const b = JSON.parse(req.body) as Partial<OvhRecord>;
      if (!b.fieldType || typeof b.target !== 'string' || typeof b.subDomain !== 'string') return { status: 400, body: { class: 'Client::BadRequest', message: 'Missing parameter' } };
      const rec: OvhRecord = { target: b.target, ttl: b.ttl ?? 0, zone, fieldType: b.fieldType, id: nextId++, subDomain: b.subDomain };
      data.set(zone, [...records, rec]);
      return { status: 200, body: rec };
    }
    return { status: 405, body: { message: 'Method not allowed' } };
  });

  const zoneOf = (fqdn: string) => [...data.keys()].filter((z) => fqdn === z || fqdn.endsWith(`.${z}`)).sort((a, b) => b.length - a.length)[0]!;
  const sub = (fqdn: string, zone: string) => (fqdn === zone ? '' : fqdn.slice(0, -(zone.length + 1)));
  return {
    server, apiUrl: `${server.url}/1.0`, applicationKey, applicationSecret, consumerKey,
    txt: (fqdn) => {
      const zone = zoneOf(fqdn);
      return published.get(zone)!.filter((r) => r.fieldType === 'TXT' && r.subDomain === sub(fqdn, zone)).map((r) => unquoteTxt(r.target));
    },
    records: (zone) => data.get(zone)!,
    refreshes: () => refreshes,
    put: (zone, r) => {
      const rec = { ...r, zone, id: nextId++ };
      data.set(zone, [...data.get(zone)!, rec]);
      published.set(zone, [...published.get(zone)!, rec]);
    },
    stop: () => server.stop(),
  };
}
