import { startFakeApiServer, type FakeAnswer, type FakeRequest } from './fake-api-server.js';
import { apiName, fakeTableApi, FakeRecordTable, type FakeTableApi, fqdnOf, numericIds, pageOf, type FakeRow } from './fake-record-table.js';

/**
 * Linode API v4, built from test/cassettes/linode: `GET /v4/domains` filtered by an `X-Filter`
 * header (an empty `data` for a domain the account lacks, as recorded), domains by numeric id,
 * records one per value (`target`, `ttl_sec`, the apex as ''), delete answering `{}`, lists as
 * `{data, page, pages, results}` with `?page=`. Errors as `{errors: [{reason}]}`, the shape
 * Linode documents (the cassettes record none): 401 for a bad token, 404 for an unknown id.
 */
export type FakeLinode = FakeTableApi;

export async function startFakeLinode(zones: string[], opts: { perPage?: number } = {}): Promise<FakeLinode> {
  const table = new FakeRecordTable(zones, numericIds(9295232));
  const ids = new Map(zones.map((z, i) => [String(1065421 + i), z]));
  const perPage = opts.perPage ?? 100;
  const notFound: FakeAnswer = { status: 404, body: { errors: [{ reason: 'Not found' }] } };
  const domain = ([id, name]: [string, string]) => ({ id: Number(id), domain: name, type: 'master', status: 'active', soa_email: 'hostmaster@example.test', ttl_sec: 0, description: '', group: '', master_ips: [], axfr_ips: [], refresh_sec: 0, retry_sec: 0, expire_sec: 0 });
  const show = (r: FakeRow) => ({ id: Number(r.id), type: r.type, name: apiName(r.fqdn, r.zone, ''), target: r.value, priority: r.priority ?? 0, weight: 0, port: 0, service: null, protocol: null, ttl_sec: r.ttl, tag: null });
  const paged = (req: FakeRequest, items: unknown[]): FakeAnswer => {
    const page = Number(req.url.searchParams.get('page') ?? 1);
    const { items: data, pages } = pageOf(items, page, perPage);
    return { status: 200, body: { data, page, pages, results: items.length }, headers: { 'x-accepted-oauth-scopes': req.method === 'GET' ? 'domains:read_only' : 'domains:read_write' } };
  };

  const server = await startFakeApiServer((req) => {
    if (req.headers.authorization !== `Bearer ${table.token}`) return { status: 401, body: { errors: [{ reason: 'Invalid Token' }] } };
    const path = req.url.pathname.replace(/^\/v4/, '');
    if (req.method === 'GET' && path === '/domains') {
      const filter = req.headers['x-filter'] ? (JSON.parse(String(req.headers['x-filter'])) as { domain?: string }) : {};
      return paged(req, [...ids].filter(([, name]) => !filter.domain || name === filter.domain).map(domain));
    }
    const m = /^\/domains\/(\d+)\/records(?:\/(\d+))?$/.exec(path);
    const zone = m ? ids.get(m[1]!) : undefined;
    if (!m || !zone) return notFound;
    if (req.method === 'GET' && !m[2]) return paged(req, table.inZone(zone).map(show));
    if (req.method === 'POST' && !m[2]) {
      const b = JSON.parse(req.body) as { type?: string; name?: string; target?: string; ttl_sec?: number; priority?: number };
      if (!b.type || b.target === undefined) return { status: 400, body: { errors: [{ field: b.type ? 'target' : 'type', reason: 'This field is required.' }] } };
      const row = table.add({ zone, fqdn: fqdnOf(b.name ?? '', zone), type: b.type, value: b.target, ttl: b.ttl_sec ?? 0, priority: b.priority ?? null });
      return { status: 200, body: show(row) };
    }
    if (req.method === 'DELETE' && m[2]) return table.remove(zone, m[2]) ? { status: 200, body: {} } : notFound;
    return notFound;
  });
  return fakeTableApi(server, '/v4', table);
}
