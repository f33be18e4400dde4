import { randomBytes } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/** A zone record as DNSimple answers it (test/cassettes/dnsimple): relative name, '' for the apex. */
interface Record { id: number; zone_id: string; parent_id: null; name: string; content: string; ttl: number; priority: number | null; type: string; regions: string[]; system_record: boolean; created_at: string; updated_at: string }

export interface FakeDnsimple {
  api: FakeApiServer;
  /** The provider's api_url. */
  url: string;
  token: string;
  accountId: number;
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

const PER_PAGE = 30;

/**
 * DNSimple's API v2 as the cassettes show it: Bearer tokens, GET /accounts, /<account>/domains
 * filtered by name_like, zone records filtered by type and name, created with POST (201, the
 * record in `data`), deleted by id (204); every list in `data` with a `pagination` block of 30
 * per page (`page` picks one). From DNSimple's documentation, not the recordings: 401
 * "Authentication failed", 404 for an unknown zone or record, 400 for an identical record.
 */
export async function startFakeDnsimple(zones: string[], opts: { perPage?: number } = {}): Promise<FakeDnsimple> {
  const token = `dnsimple-${randomBytes(12).toString('hex')}`;
  registerSecret(token);
  const accountId = 731;
  const perPage = opts.perPage ?? PER_PAGE;
  const records: Record[] = zones.map((z, i) => ({ ...stamp(), id: 502000 + i, zone_id: z, parent_id: null, name: '', content: 'ns1.dnsimple.com', ttl: 3600, priority: null, type: 'NS', regions: ['global'], system_record: true }));
  let nextId = 502861;

  const handle = (req: FakeRequest): FakeAnswer => {
    if (req.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { message: 'Authentication failed' } };
    const q = req.url.searchParams;
    if (req.method === 'GET' && req.url.pathname === '/v2/accounts') return { status: 200, body: { data: [{ id: accountId, email: 'ops@example.test', plan_identifier: 'dnsimple-business', ...stamp() }] } };
    const m = /^\/v2\/(\d+)\/(domains|zones\/([^/]+)\/records(?:\/(\d+))?)$/.exec(req.url.pathname);
    if (!m || Number(m[1]) !== accountId) return { status: 404, body: { message: 'Account not found' } };
    if (m[2] === 'domains') {
      const like = q.get('name_like') ?? '';
      return paged(req.url, zones.filter((z) => z.includes(like)).map((name, i) => ({ id: 57894 + i, account_id: accountId, registrant_id: null, name, unicode_name: name, state: 'hosted', auto_renew: false, private_whois: false, expires_on: null, ...stamp() })), perPage);
    }
    const zone = decodeURIComponent(m[3]!);
    if (!zones.includes(zone)) return { status: 404, body: { message: `Zone \`${zone}\` not found` } };
    if (req.method === 'GET' && !m[4]) {
      return paged(req.url, records.filter((r) => r.zone_id === zone && (!q.has('type') || r.type === q.get('type')) && (!q.has('name') || r.name === q.get('name'))), perPage);
    }
    if (req.method === 'POST' && !m[4]) {
      const b = JSON.parse(req.body) as { type: string; name: string; content: string; ttl?: number; priority?: number };
      if (records.some((r) => r.zone_id === zone && r.type === b.type && r.name === b.name && r.content === b.content)) return { status: 400, body: { message: 'Validation failed', errors: { base: ['Zone record already exists'] } } };
      const rec: Record = { ...stamp(), id: nextId++, zone_id: zone, parent_id: null, name: b.name.toLowerCase(), content: b.content, ttl: b.ttl ?? 3600, priority: b.priority ?? null, type: b.type, regions: ['global'], system_record: false };
      records.push(rec);
      return { status: 201, body: { data: rec } };
    }
    if (req.method === 'DELETE' && m[4]) {
      const at = records.findIndex((r) => r.zone_id === zone && r.id === Number(m[4]));
      if (at < 0) return { status: 404, body: { message: `Record \`${m[4]}\` not found` } };
      records.splice(at, 1);
      return { status: 204 };
    }
    return { status: 405, body: { message: 'Method not allowed' } };
  };

  const api = await startFakeApiServer(handle);
  return {
    api, url: `${api.url}/v2`, token, accountId,
    txt: (fqdn) => {
      const f = fqdn.toLowerCase();
      return records.filter((r) => r.type === 'TXT' && (r.name ? `${r.name}.${r.zone_id}` : r.zone_id) === f).map((r) => r.content);
    },
    stop: () => api.stop(),
  };
}

function stamp() {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return { created_at: now, updated_at: now };
}

/** One page of a list, with DNSimple's pagination block. */
function paged(url: URL, all: unknown[], perPage: number): FakeAnswer {
  const page = Number(url.searchParams.get('page') ?? 1);
  const total = Math.max(1, Math.ceil(all.length / perPage));
  return { status: 200, body: { data: all.slice((page - 1) * perPage, page * perPage), pagination: { current_page: page, per_page: perPage, total_entries: all.length, total_pages: total } } };
}
