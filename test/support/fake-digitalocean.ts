import { startFakeApiServer, type FakeAnswer, type FakeRequest } from './fake-api-server.js';
import { apiName, fakeTableApi, FakeRecordTable, type FakeTableApi, fqdnOf, numericIds, pageOf, type FakeRow } from './fake-record-table.js';

/**
 * DigitalOcean API v2, built from test/cassettes/digitalocean: `/v2/domains/{name}` (404
 * `not_found` for a domain the account lacks, as recorded), records one per value with numeric
 * ids, pages of 20 with `links.pages.next`/`prev` and `meta.total`, create answering 201
 * `{domain_record}`, delete 204. A bad token answers 401 `{id, message}` (DigitalOcean's
 * documented error shape; no cassette records one).
 */
export type FakeDigitalOcean = FakeTableApi;

export async function startFakeDigitalOcean(zones: string[], opts: { perPage?: number } = {}): Promise<FakeDigitalOcean> {
  const table = new FakeRecordTable(zones, numericIds(92264100));
  for (const z of zones) {
    table.add({ zone: z, fqdn: z, type: 'SOA', value: '1800', ttl: 1800, priority: null });
    for (const ns of ['ns1', 'ns2', 'ns3']) table.add({ zone: z, fqdn: z, type: 'NS', value: `${ns}.digitalocean.com`, ttl: 1800, priority: null });
  }
  const perPage = opts.perPage ?? 20;
  const notFound: FakeAnswer = { status: 404, body: { id: 'not_found', message: 'The resource you were accessing could not be found.' } };
  const show = (r: FakeRow) => ({ id: Number(r.id), type: r.type, name: apiName(r.fqdn, r.zone, '@'), data: r.value, priority: r.priority, port: null, ttl: r.ttl, weight: null, flags: null, tag: null });
  const paged = (req: FakeRequest, path: string, items: unknown[], key: string): FakeAnswer => {
    const page = Number(req.url.searchParams.get('page') ?? 1);
    const { items: slice, pages } = pageOf(items, page, perPage);
    const link = (p: number) => `https://api.digitalocean.com/v2${path}?page=${p}`;
    const links = pages === 1 ? {} : { pages: page < pages ? { last: link(pages), next: link(page + 1) } : { first: link(1), prev: link(page - 1) } };
    return { status: 200, body: { [key]: slice, links, meta: { total: items.length } } };
  };

  const server = await startFakeApiServer((req) => {
    if (req.headers.authorization !== `Bearer ${table.token}`) return { status: 401, body: { id: 'Unauthorized', message: 'Unable to authenticate you' } };
    const path = req.url.pathname.replace(/^\/v2/, '');
    if (req.method === 'GET' && path === '/domains') return paged(req, path, table.zones.map((name) => ({ name, ttl: 1800, zone_file: '' })), 'domains');
    const m = /^\/domains\/([^/]+)(\/records(?:\/(\d+))?)?$/.exec(path);
    const zone = m ? decodeURIComponent(m[1]!) : '';
    if (!m || !table.hasZone(zone)) return notFound;
    if (!m[2]) return req.method === 'GET' ? { status: 200, body: { domain: { name: zone, ttl: 1800, zone_file: '' } } } : notFound;
    if (req.method === 'GET' && !m[3]) return paged(req, path, table.inZone(zone).map(show), 'domain_records');
    if (req.method === 'POST' && !m[3]) {
      const b = JSON.parse(req.body) as { type?: string; name?: string; data?: string; ttl?: number; priority?: number };
      if (!b.type || b.name === undefined || b.data === undefined) return { status: 422, body: { id: 'unprocessable_entity', message: 'Name, type and data are required.' } };
      if (b.ttl !== undefined && b.ttl < 30) return { status: 422, body: { id: 'unprocessable_entity', message: 'TTL must be at least 30 seconds.' } };
      const row = table.add({ zone, fqdn: fqdnOf(b.name, zone), type: b.type, value: b.data.replace(/\.$/, ''), ttl: b.ttl ?? 1800, priority: b.priority ?? null });
      return { status: 201, body: { domain_record: show(row) } };
    }
    if (req.method === 'DELETE' && m[3]) return table.remove(zone, m[3]) ? { status: 204 } : notFound;
    return notFound;
  });
  return fakeTableApi(server, '/v2', table);
}
