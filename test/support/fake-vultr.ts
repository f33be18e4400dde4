import { randomUUID } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeRequest } from './fake-api-server.js';
import { apiName, fakeTableApi, FakeRecordTable, type FakeTableApi, fqdnOf, pageOf, type FakeRow } from './fake-record-table.js';

/**
 * Vultr API v2, built from test/cassettes/vultr: `GET /v2/domains` (the only domain lookup
 * recorded), records one per value by UUID with TXT data kept quoted and the apex as '',
 * create answering 201 `{record}`, delete 204, lists with `meta.total` and `meta.links.next`/
 * `prev` cursors (`?cursor=`). Errors as `{error, status}`, the shape Vultr documents (the
 * cassettes record none): 401 for a bad key, 404 for an unknown domain or record.
 */
export type FakeVultr = FakeTableApi;

export async function startFakeVultr(zones: string[], opts: { perPage?: number } = {}): Promise<FakeVultr> {
  const table = new FakeRecordTable(zones, randomUUID);
  for (const z of zones) for (const ns of ['ns1', 'ns2']) table.add({ zone: z, fqdn: z, type: 'NS', value: `${ns}.vultr.com`, ttl: 300, priority: -1 });
  const perPage = opts.perPage ?? 100;
  const fail = (status: number, error: string): FakeAnswer => ({ status, body: { error, status } });
  const show = (r: FakeRow) => ({ id: r.id, type: r.type, name: apiName(r.fqdn, r.zone, ''), data: r.value, priority: r.priority ?? 0, ttl: r.ttl });
  // The cursor is opaque to clients; here it is the page number in base64.
  const paged = (req: FakeRequest, items: unknown[], key: string): FakeAnswer => {
    const cursor = req.url.searchParams.get('cursor');
    const page = cursor ? Number(Buffer.from(cursor, 'base64').toString()) : 1;
    const { items: slice, pages } = pageOf(items, page, perPage);
    const link = (p: number) => (p >= 1 && p <= pages && p !== page ? Buffer.from(String(p)).toString('base64') : '');
    return { status: 200, body: { [key]: slice, meta: { total: items.length, links: { next: link(page + 1), prev: link(page - 1) } } } };
  };

  const server = await startFakeApiServer((req) => {
    if (req.headers.authorization !== `Bearer ${table.token}`) return fail(401, 'Invalid API token.');
    const path = req.url.pathname.replace(/^\/v2/, '');
    if (req.method === 'GET' && path === '/domains') return paged(req, table.zones.map((domain) => ({ domain, date_created: '2021-03-27T09:40:29+00:00' })), 'domains');
    const m = /^\/domains\/([^/]+)\/records(?:\/([0-9a-f-]+))?$/.exec(path);
    const zone = m ? decodeURIComponent(m[1]!) : '';
    if (!m || !table.hasZone(zone)) return fail(404, 'Invalid domain.');
    if (req.method === 'GET' && !m[2]) return paged(req, table.inZone(zone).map(show), 'records');
    if (req.method === 'POST' && !m[2]) {
      const b = JSON.parse(req.body) as { type?: string; name?: string; data?: string; ttl?: number; priority?: number };
      if (!b.type || b.name === undefined || b.data === undefined) return fail(400, 'Missing type, name or data.');
      const row = table.add({ zone, fqdn: fqdnOf(b.name, zone), type: b.type, value: b.data, ttl: b.ttl ?? 300, priority: b.priority ?? 0 });
      return { status: 201, body: { record: show(row) } };
    }
    if (req.method === 'DELETE' && m[2]) return table.remove(zone, m[2]) ? { status: 204 } : fail(404, 'Invalid record.');
    return fail(404, 'Not found.');
  });
  return fakeTableApi(server, '/v2', table);
}
