import { randomBytes } from 'node:crypto';
import { canonicalName } from '../../src/dns-name.js';
import { unquoteTxt } from '../../src/dns/txt-presentation.js';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { pageOf } from './fake-record-table.js';
import { registerSecret } from './secret-scan.js';

/**
 * The Hetzner Cloud API's DNS part, built from test/cassettes/hetzner: zones by name or id
 * (`{zone}`, 404 `not_found` "Zone not found" as recorded), RRsets listed with `?type=&name=`
 * and `meta.pagination` (25 a page), and every change an action — add_records (creating the
 * RRset), remove_records (the RRset goes with its last value), set_records, change_ttl, DELETE —
 * answered 201 `{action}` with status `running`, then `running` once more and `success` when
 * asked about at `/v1/zones/actions/{id}`. TXT values are kept quoted; the apex is '@'. A bad
 * token answers 401 `{error: {code: "unauthorized"}}` (Hetzner's documented error shape; no
 * cassette records one).
 */
export interface FakeHetzner {
  url: string;
  token: string;
  server: FakeApiServer;
  txt(fqdn: string): string[];
  /** The next actions end in `error` with this message. */
  failActions(message: string): void;
  stop(): Promise<void>;
}

interface Zone { id: number; name: string; ttl: number }
interface RRset { name: string; type: string; ttl: number | null; records: { value: string; comment: string }[] }

export async function startFakeHetzner(zoneNames: string[], opts: { perPage?: number } = {}): Promise<FakeHetzner> {
  const token = `hc-${randomBytes(16).toString('hex')}`;
  registerSecret(token);
  const zones: Zone[] = zoneNames.map((name, i) => ({ id: 53091 + i, name, ttl: 86400 }));
  const rrsets = new Map<number, RRset[]>(zones.map((z) => [z.id, [
    { name: '@', type: 'NS', ttl: null, records: ['helium.ns.hetzner.de.', 'hydrogen.ns.hetzner.com.', 'oxygen.ns.hetzner.com.'].map((value) => ({ value, comment: '' })) },
    { name: '@', type: 'SOA', ttl: null, records: [{ value: 'hydrogen.ns.hetzner.com. dns.hetzner.com. 2026011301 86400 10800 3600000 3600', comment: '' }] },
  ]]));
  const actions = new Map<number, { command: string; polls: number; error: string | undefined }>();
  let nextAction = 604989101982297;
  let failing: string | undefined;
  const perPage = opts.perPage ?? 25;

  const error = (status: number, code: string, message: string): FakeAnswer => ({ status, body: { error: { code, message, details: null } } });
  const zoneBody = (z: Zone) => ({ id: z.id, name: z.name, mode: 'primary', ttl: z.ttl, labels: {}, primary_nameservers: [], protection: { delete: false }, status: 'ok', record_count: rrsets.get(z.id)!.length, registrar: 'hetzner' });
  const rrsetBody = (z: Zone, r: RRset) => ({ id: `${r.name}/${r.type}`, name: r.name, type: r.type, ttl: r.ttl, labels: {}, protection: { change: false }, records: r.records, zone: z.id });
  const actionBody = (id: number) => {
    const a = actions.get(id)!;
    const status = a.polls < 2 ? 'running' : a.error ? 'error' : 'success';
    return { action: { id, status, command: a.command, progress: status === 'running' ? a.polls * 50 : 100, started: '2026-01-13T14:17:17Z', finished: status === 'running' ? null : '2026-01-13T14:17:23Z', error: status === 'error' ? { code: 'action_failed', message: a.error } : null, resources: [{ id: 0, type: 'zone' }] } };
  };
  const act = (command: string): FakeAnswer => {
    const id = nextAction++;
    actions.set(id, { command, polls: 0, error: failing });
    return { status: 201, body: actionBody(id) };
  };
  const paged = (req: FakeRequest, items: unknown[], key: string): FakeAnswer => {
    const page = Number(req.url.searchParams.get('page') ?? 1);
    const { items: slice, pages } = pageOf(items, page, perPage);
    return { status: 200, body: { meta: { pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < pages ? page + 1 : null, last_page: pages, total_entries: items.length } }, [key]: slice } };
  };

  const server = await startFakeApiServer((req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return error(401, 'unauthorized', 'unable to authenticate');
    const path = req.url.pathname.replace(/^\/v1/, '');
    if (req.method === 'GET' && path === '/zones') return paged(req, zones.map(zoneBody), 'zones');
    const action = /^\/zones\/actions\/(\d+)$/.exec(path);
    if (action) {
      const a = actions.get(Number(action[1]));
      if (!a) return error(404, 'not_found', 'Action not found');
      a.polls++;
      return { status: 200, body: actionBody(Number(action[1])) };
    }
    const m = /^\/zones\/([^/]+)(?:\/rrsets(?:\/([^/]+)\/([A-Z]+)(?:\/actions\/(\w+))?)?)?$/.exec(path);
    const key = m ? decodeURIComponent(m[1]!) : '';
    const zone = zones.find((z) => String(z.id) === key || z.name === key);
    if (!m || !zone) return error(404, 'not_found', 'Zone not found');
    const sets = rrsets.get(zone.id)!;
    if (!path.includes('/rrsets')) return req.method === 'GET' ? { status: 200, body: { zone: zoneBody(zone) } } : error(404, 'not_found', 'Not found');
    if (!m[2]) {
      if (req.method !== 'GET') return error(404, 'not_found', 'Not found');
      const type = req.url.searchParams.get('type');
      const name = req.url.searchParams.get('name');
      return paged(req, sets.filter((r) => (!type || r.type === type) && (!name || r.name === name)).map((r) => rrsetBody(zone, r)), 'rrsets');
    }
    const name = decodeURIComponent(m[2]);
    const type = m[3]!;
    const at = sets.findIndex((r) => r.name === name && r.type === type);
    const existing = sets[at];
    if (req.method === 'DELETE' && !m[4]) {
      if (!existing) return error(404, 'not_found', 'RRSet not found');
      sets.splice(at, 1);
      return act('delete_rrset');
    }
    if (req.method !== 'POST' || !m[4]) return error(404, 'not_found', 'Not found');
    const b = JSON.parse(req.body || '{}') as { ttl?: number; records?: { value: string }[] };
    const values = (b.records ?? []).map((r) => r.value);
    if (m[4] !== 'change_ttl' && values.length === 0) return error(422, 'invalid_input', 'invalid input in field \'records\'');
    switch (m[4]) {
      case 'add_records': {
        const set = existing ?? { name, type, ttl: b.ttl ?? null, records: [] };
        if (!existing) sets.push(set);
        for (const value of values) if (!set.records.some((r) => r.value === value)) set.records.push({ value, comment: '' });
        return act('add_rrset_records');
      }
      case 'remove_records': {
        if (!existing) return error(404, 'not_found', 'RRSet not found');
        existing.records = existing.records.filter((r) => !values.includes(r.value));
        if (existing.records.length === 0) sets.splice(at, 1);
        return act('remove_rrset_records');
      }
      case 'set_records':
        if (!existing) return error(404, 'not_found', 'RRSet not found');
        existing.records = values.map((value) => ({ value, comment: '' }));
        return act('set_rrset_records');
      case 'change_ttl':
        if (!existing) return error(404, 'not_found', 'RRSet not found');
        existing.ttl = b.ttl ?? null;
        return act('change_rrset_ttl');
      default:
        return error(404, 'not_found', 'Not found');
    }
  });
  return {
    url: `${server.url}/v1`, token, server,
    txt: (fqdn) => {
      const f = canonicalName(fqdn);
      const zone = zones.filter((z) => f === z.name || f.endsWith(`.${z.name}`)).sort((a, b) => b.name.length - a.name.length)[0];
      if (!zone) return [];
      const name = f === zone.name ? '@' : f.slice(0, -(zone.name.length + 1));
      return rrsets.get(zone.id)!.find((r) => r.name === name && r.type === 'TXT')?.records.map((r) => unquoteTxt(r.value)) ?? [];
    },
    failActions: (message) => { failing = message; },
    stop: () => server.stop(),
  };
}
