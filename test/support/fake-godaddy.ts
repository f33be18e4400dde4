import { randomBytes } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/** A record as GoDaddy answers it (test/cassettes/godaddy): relative name, '@' for the apex. */
interface Record { data: string; name: string; ttl: number; type: string; priority?: number }

export interface FakeGodaddy {
  api: FakeApiServer;
  /** The provider's api_url. */
  url: string;
  key: string;
  secret: string;
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

/**
 * GoDaddy's Domains API v1 as the cassettes show it: `Authorization: sso-key KEY:SECRET`,
 * /v1/domains/<domain> (404 NOT_FOUND "… not found for shopper"), all records or those of one
 * type and name with GET, a type and name replaced with PUT (200, empty body). Beyond the
 * recordings, from GoDaddy's documentation: DELETE of a type and name (204), 422 for a TTL below
 * 600 or an empty PUT, and 401 UNABLE_TO_AUTHENTICATE.
 */
export async function startFakeGodaddy(domains: string[]): Promise<FakeGodaddy> {
  const key = `gd-key-${randomBytes(8).toString('hex')}`;
  const secret = `gd-secret-${randomBytes(12).toString('hex')}`;
  registerSecret(key);
  registerSecret(secret);
  const zones = new Map<string, Record[]>(domains.map((d) => [d, [{ data: 'ns09.domaincontrol.com', name: '@', ttl: 3600, type: 'NS' }]]));

  const handle = (req: FakeRequest): FakeAnswer => {
    if (req.headers.authorization !== `sso-key ${key}:${secret}`) return { status: 401, body: { code: 'UNABLE_TO_AUTHENTICATE', message: 'Unable to authenticate the request' } };
    const m = /^\/v1\/domains\/([^/]+)(?:\/records(?:\/([A-Z]+)(?:\/([^/]+))?)?)?$/.exec(req.url.pathname);
    const domain = m?.[1];
    const records = domain ? zones.get(domain) : undefined;
    if (!m || !domain || !records) return { status: 404, body: { code: 'NOT_FOUND', message: `Domain ${domain ?? ''} not found for shopper` } };
    const [type, name] = [m[2], m[3] === undefined ? undefined : decodeURIComponent(m[3])];
    const at = (r: Record) => r.type === type && r.name === name;
    if (req.method === 'GET' && !req.url.pathname.includes('/records')) return { status: 200, body: { domain, domainId: 1, status: 'ACTIVE', nameServers: ['ns09.domaincontrol.com'] } };
    if (req.method === 'GET') return { status: 200, body: records.filter((r) => (!type || r.type === type) && (name === undefined || r.name === name)) };
    if (req.method === 'PUT' && type && name !== undefined) {
      const body = JSON.parse(req.body) as Partial<Record>[];
      const low = body.findIndex((r) => (r.ttl ?? 3600) < 600);
      if (body.length === 0 || low >= 0) return { status: 422, body: { code: 'INVALID_BODY', fields: [{ code: 'UNEXPECTED_TYPE', message: body.length ? 'is less than the minimum of 600' : 'must have at least 1 item', path: body.length ? `records[${low}].ttl` : 'records' }], message: "Request body doesn't fulfill schema, see details in `fields`" } };
      zones.set(domain, [...records.filter((r) => !at(r)), ...body.map((r) => ({ data: r.data ?? '', name, ttl: r.ttl ?? 3600, type, ...(r.priority !== undefined ? { priority: r.priority } : {}) }))]);
      return { status: 200, body: '' };
    }
    if (req.method === 'DELETE' && type && name !== undefined) {
      if (!records.some(at)) return { status: 404, body: { code: 'NOT_FOUND', message: `No records of type ${type} and name ${name}` } };
      zones.set(domain, records.filter((r) => !at(r)));
      return { status: 204 };
    }
    return { status: 405, body: { code: 'METHOD_NOT_ALLOWED', message: 'method not allowed' } };
  };

  const api = await startFakeApiServer(handle);
  const relative = (fqdn: string) => {
    const f = fqdn.toLowerCase();
    const d = domains.find((z) => f === z || f.endsWith(`.${z}`));
    return d ? { d, name: f === d ? '@' : f.slice(0, -(d.length + 1)) } : undefined;
  };
  return {
    api, url: `${api.url}/v1`, key, secret,
    txt: (fqdn) => {
      const at = relative(fqdn);
      return at ? (zones.get(at.d) ?? []).filter((r) => r.type === 'TXT' && r.name === at.name).map((r) => r.data) : [];
    },
    stop: () => api.stop(),
  };
}
