import { randomBytes } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeRequest } from './fake-api-server.js';
import { apiName, fakeTableApi, FakeRecordTable, type FakeTableApi, fqdnOf, pageOf, type FakeRow } from './fake-record-table.js';

/**
 * The older Hetzner DNS Console API (dns.hetzner.com/api/v1), written from its documentation —
 * no recorded traffic of it exists here, so unlike the other fakes this one is not checked
 * against cassettes: `Auth-API-Token` header, `GET /zones?name=` (404 when there is none),
 * `GET /records?zone_id=` paged by `page` with `meta.pagination.last_page`, `POST /records`
 * answering `{record}`, `DELETE /records/{id}`. Error bodies are `{message}` (401) and
 * `{error: {message, code}}` (404, 422), as the documentation's examples show them.
 */
export type FakeHetznerConsole = FakeTableApi;

export async function startFakeHetznerConsole(zones: string[], opts: { perPage?: number } = {}): Promise<FakeHetznerConsole> {
  const table = new FakeRecordTable(zones, () => randomBytes(16).toString('hex'));
  const zoneIds = new Map(zones.map((z) => [randomBytes(11).toString('base64url'), z]));
  const idOf = (zone: string) => [...zoneIds].find(([, z]) => z === zone)![0];
  for (const z of zones) table.add({ zone: z, fqdn: z, type: 'NS', value: 'hydrogen.ns.hetzner.com.', ttl: 86400, priority: null });
  const perPage = opts.perPage ?? 100;
  const fail = (status: number, message: string): FakeAnswer => ({ status, body: { error: { message, code: status } } });
  const show = (r: FakeRow) => ({ id: r.id, zone_id: idOf(r.zone), type: r.type, name: apiName(r.fqdn, r.zone, '@'), value: r.value, ttl: r.ttl, created: '2026-01-13 14:17:17 +0000 UTC', modified: '2026-01-13 14:17:17 +0000 UTC' });
  const paged = (req: FakeRequest, items: unknown[], key: string): FakeAnswer => {
    const page = Number(req.url.searchParams.get('page') ?? 1);
    const { items: slice, pages } = pageOf(items, page, perPage);
    return { status: 200, body: { [key]: slice, meta: { pagination: { page, per_page: perPage, last_page: pages, total_entries: items.length } } } };
  };

  const server = await startFakeApiServer((req) => {
    if (req.headers['auth-api-token'] !== table.token) return { status: 401, body: { message: 'Invalid authentication credentials' } };
    const path = req.url.pathname.replace(/^\/api\/v1/, '');
    if (req.method === 'GET' && path === '/zones') {
      const name = req.url.searchParams.get('name');
      const found = [...zoneIds].filter(([, z]) => !name || z === name).map(([id, z]) => ({ id, name: z, ttl: 86400, status: 'verified', records_count: table.inZone(z).length }));
      return name && found.length === 0 ? fail(404, 'zone not found') : paged(req, found, 'zones');
    }
    if (req.method === 'GET' && path === '/records') {
      const zone = zoneIds.get(req.url.searchParams.get('zone_id') ?? '');
      return zone ? paged(req, table.inZone(zone).map(show), 'records') : fail(404, 'zone not found');
    }
    if (req.method === 'POST' && path === '/records') {
      const b = JSON.parse(req.body) as { zone_id?: string; type?: string; name?: string; value?: string; ttl?: number };
      const zone = zoneIds.get(b.zone_id ?? '');
      if (!zone || !b.type || b.name === undefined || b.value === undefined) return fail(422, 'invalid record');
      return { status: 200, body: { record: show(table.add({ zone, fqdn: fqdnOf(b.name, zone), type: b.type, value: b.value, ttl: b.ttl ?? 86400, priority: null })) } };
    }
    const del = /^\/records\/(\w+)$/.exec(path);
    if (req.method === 'DELETE' && del) {
      const row = zones.flatMap((z) => table.inZone(z)).find((r) => r.id === del[1]);
      return row && table.remove(row.zone, row.id) ? { status: 200, body: {} } : fail(404, 'record not found');
    }
    return fail(404, 'not found');
  });
  return fakeTableApi(server, '/api/v1', table);
}
