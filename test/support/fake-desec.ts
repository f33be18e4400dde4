import { randomBytes } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/** An RRset as the fake keeps it and deSEC answers it (test/cassettes/desec). */
interface Rrset { created: string; domain: string; subname: string; name: string; records: string[]; ttl: number; type: string; touched: string }

export interface FakeDesec {
  api: FakeApiServer;
  /** The provider's api_url. */
  url: string;
  token: string;
  /** TXT texts at a name (quotes removed). */
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

/**
 * deSEC's API as the cassettes show it: `Authorization: Token`, domains at /domains/<name>/
 * (404 "No Domain matches the given query."), RRsets listed with subname/type filters, created
 * with POST (201), replaced with PATCH of one RRset (200, or 204 when no records are left, which
 * deletes it), TXT values quoted. The domain's minimum_ttl is enforced as deSEC does; above
 * `pageSize` RRsets an unfiltered list needs a cursor, as deSEC's does above 500.
 */
export async function startFakeDesec(domains: string[], opts: { minimumTtl?: number; pageSize?: number } = {}): Promise<FakeDesec> {
  const token = `desec-${randomBytes(12).toString('hex')}`;
  registerSecret(token);
  const minimumTtl = opts.minimumTtl ?? 3600;
  const pageSize = opts.pageSize ?? 500;
  const sets = new Map<string, Rrset>();
  const key = (domain: string, subname: string, type: string) => `${domain} ${subname} ${type}`;
  const now = () => new Date().toISOString();

  const handle = (req: FakeRequest): FakeAnswer => {
    if (req.headers.authorization !== `Token ${token}`) return { status: 401, body: { detail: 'Invalid token.' } };
    const path = req.url.pathname.replace(/^\/api\/v1/, '').replace(/\/+/g, '/');
    if (req.method === 'GET' && path === '/domains/') return { status: 200, body: domains.map((name) => ({ name, minimum_ttl: minimumTtl, created: now(), published: now(), touched: now() })) };
    const m = /^\/domains\/([^/]+)\/(?:rrsets\/(?:([^/]+)\/([A-Z]+)\/)?)?$/.exec(path);
    const domain = m?.[1];
    if (!m || !domain || !domains.includes(domain)) return { status: 404, body: { detail: 'No Domain matches the given query.' } };
    const inDomain = () => [...sets.values()].filter((s) => s.domain === domain);
    if (!path.includes('/rrsets/')) return req.method === 'GET' ? { status: 200, body: { name: domain, minimum_ttl: minimumTtl } } : { status: 405, body: { detail: 'Method not allowed.' } };
    if (req.method === 'GET' && !m[2]) {
      const subname = req.url.searchParams.get('subname');
      const type = req.url.searchParams.get('type');
      const all = inDomain().filter((s) => (subname === null || s.subname === subname) && (type === null || s.type === type));
      return page(req.url, all, pageSize);
    }
    if (req.method === 'POST' && !m[2]) {
      const b = JSON.parse(req.body) as Pick<Rrset, 'subname' | 'type' | 'ttl' | 'records'>;
      if (b.ttl < minimumTtl) return { status: 400, body: { ttl: [`Ensure this value is greater than or equal to ${minimumTtl}.`] } };
      if (sets.has(key(domain, b.subname, b.type))) return { status: 400, body: { non_field_errors: ['Another RRset with the same subdomain and type exists for this domain. (Try modifying it.)'] } };
      const rr: Rrset = { created: now(), domain, subname: b.subname, name: `${b.subname ? `${b.subname}.` : ''}${domain}.`, records: b.records, ttl: b.ttl, type: b.type, touched: now() };
      sets.set(key(domain, b.subname, b.type), rr);
      return { status: 201, body: rr };
    }
    if (req.method === 'PATCH' && m[2] && m[3]) {
      const subname = decodeURIComponent(m[2]) === '@' ? '' : decodeURIComponent(m[2]);
      const rr = sets.get(key(domain, subname, m[3]));
      if (!rr) return { status: 404, body: { detail: 'Not found.' } };
      const b = JSON.parse(req.body) as Partial<Rrset>;
      if (b.ttl !== undefined && b.ttl < minimumTtl) return { status: 400, body: { ttl: [`Ensure this value is greater than or equal to ${minimumTtl}.`] } };
      if (b.records?.length === 0) {
        sets.delete(key(domain, subname, m[3]));
        return { status: 204 };
      }
      Object.assign(rr, { ...(b.records ? { records: b.records } : {}), ...(b.ttl !== undefined ? { ttl: b.ttl } : {}), touched: now() });
      return { status: 200, body: rr };
    }
    return { status: 405, body: { detail: `Method "${req.method}" not allowed.` } };
  };

  const api = await startFakeApiServer(handle);
  return {
    api, url: `${api.url}/api/v1`, token,
    txt: (fqdn) => [...sets.values()].filter((s) => s.type === 'TXT' && s.name === `${fqdn.toLowerCase()}.`).flatMap((s) => s.records.map((v) => v.replace(/^"|"$/g, ''))),
    stop: () => api.stop(),
  };
}

/** deSEC's cursor pagination: past `size` items, no cursor is a 400 that links the first page. */
function page(url: URL, all: unknown[], size: number): FakeAnswer {
  if (all.length <= size) return { status: 200, body: all };
  const link = (cursor: number, rel: string) => `<${url.origin}${url.pathname}?cursor=${cursor === 0 ? '' : cursor}>; rel="${rel}"`;
  const cursor = url.searchParams.get('cursor');
  if (cursor === null) return { status: 400, headers: { link: link(0, 'first') }, body: { detail: `Pagination required. You can query up to ${size} items at a time.` } };
  const from = Number(cursor || 0);
  const next = from + size < all.length ? [link(from + size, 'next')] : [];
  return { status: 200, headers: { link: [link(0, 'first'), ...next].join(', ') }, body: all.slice(from, from + size) };
}
