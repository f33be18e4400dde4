import { randomBytes } from 'node:crypto';
import { findRecorded, loadCassettes, recordedJson } from './cassette.js';
import { startFakeApiServer, type FakeAnswer } from './fake-api-server.js';
import type { SeenRequest } from './recorded-shapes.js';
import { registerSecret } from './secret-scan.js';

/**
 * A Cloudflare API v4 stand-in built from the recorded traffic (test/cassettes/cloudflare): the
 * `{result, success, errors, messages, result_info}` envelope with the recorded zone and record
 * fields, pages of `per_page` with `result_info.total_pages`, HTTP 400 with code 81058 for an
 * identical record, the `{result: {id}}` delete answer. From the API documentation, as the
 * recordings do not show them: the zones list's `name` filter, the batch endpoint, 403 code
 * 10000 for a bad token, 404 code 81044 for a missing record, and 429 on demand.
 */
export interface FakeCloudflare {
  /** The API base (`…/client/v4`). */
  url: string;
  token: string;
  /** TXT contents at a name (quotes removed). */
  txt: (fqdn: string) => string[];
  /** The next `n` requests answer 429 with Retry-After: 0. */
  rateLimitNext: (n: number) => void;
  /** `METHOD /path` of every request. */
  requests: string[];
  seen: SeenRequest[];
  stop: () => Promise<void>;
}

interface CfRecord { id: string; zoneId: string; type: string; name: string; content: string; ttl: number; priority?: number }

const recorded = loadCassettes('cloudflare');
/** A recorded zone object and record object: the fake's answers carry the same fields. */
const ZONE_TEMPLATE = recordedJson<{ result: Record<string, unknown>[] }>(findRecorded(recorded, { method: 'GET', path: /\/zones$/ })).result[0]!;
const RECORD_TEMPLATE = recordedJson<{ result: Record<string, unknown> }>(findRecorded(recorded, { method: 'POST', path: /\/dns_records$/, status: 200 })).result;

export async function startFakeCloudflare(zones: string[]): Promise<FakeCloudflare> {
  const token = `cf-${randomBytes(12).toString('hex')}`;
  registerSecret(token);
  const zoneIds = new Map(zones.map((z) => [z, randomBytes(16).toString('hex')]));
  const records = new Map<string, CfRecord>();

  const envelope = (status: number, result: unknown, extra: Record<string, unknown> = {}): FakeAnswer => ({ status, body: { result, success: status < 300, errors: [], messages: [], ...extra } });
  const fail = (status: number, code: number, message: string): FakeAnswer => ({ status, body: { result: null, success: false, errors: [{ code, message }], messages: [] } });
  const page = <T>(items: T[], url: URL): FakeAnswer => {
    const perPage = Number(url.searchParams.get('per_page') ?? 20);
    const n = Number(url.searchParams.get('page') ?? 1);
    const slice = items.slice((n - 1) * perPage, n * perPage);
    return envelope(200, slice, { result_info: { page: n, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) } });
  };
  const shown = (r: CfRecord) => ({ ...RECORD_TEMPLATE, id: r.id, name: r.name, type: r.type, content: r.content, ttl: r.ttl, ...(r.priority !== undefined ? { priority: r.priority } : {}) });
  const add = (zoneId: string, p: { type: string; name: string; content: string; ttl: number; priority?: number }) => {
    const rec: CfRecord = { id: randomBytes(16).toString('hex'), zoneId, type: p.type, name: p.name.toLowerCase(), content: p.content, ttl: p.ttl, ...(p.priority !== undefined ? { priority: p.priority } : {}) };
    records.set(rec.id, rec);
    return rec;
  };

  const api = await startFakeApiServer(({ method, url, headers, body }) => {
    if (headers.authorization !== `Bearer ${token}`) return fail(403, 10000, 'Authentication error');
    const path = url.pathname.replace(/^\/client\/v4/, '');
    if (method === 'GET' && path === '/zones') {
      const name = url.searchParams.get('name');
      return page([...zoneIds].filter(([z]) => !name || z === name).map(([z, id]) => ({ ...ZONE_TEMPLATE, id, name: z })), url);
    }
    const m = /^\/zones\/([0-9a-f]+)\/dns_records(?:\/([0-9a-f]+|batch))?$/.exec(path);
    if (!m || ![...zoneIds.values()].includes(m[1]!)) return fail(404, 7003, 'Could not route to /zones, perhaps your object identifier is invalid?');
    const zoneId = m[1]!;
    if (method === 'POST' && m[2] === 'batch') {
      // All or nothing: every delete must name an existing record of the zone, every post be valid.
      const b = JSON.parse(body) as { deletes?: { id: string }[]; posts?: { type: string; name: string; content: string; ttl: number; priority?: number }[] };
      for (const d of b.deletes ?? []) if (records.get(d.id)?.zoneId !== zoneId) return fail(404, 81044, 'Record does not exist.');
      for (const p of b.posts ?? []) if (!['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS'].includes(p.type) || !p.name) return fail(400, 9000, 'DNS name is invalid.');
      for (const d of b.deletes ?? []) records.delete(d.id);
      return envelope(200, { deletes: b.deletes ?? [], posts: (b.posts ?? []).map((p) => shown(add(zoneId, p))) });
    }
    if (method === 'POST' && !m[2]) {
      const r = JSON.parse(body) as { type: string; name: string; content: string; ttl: number };
      if (!r.type || !r.name || r.content === undefined) return fail(400, 9000, 'DNS name is invalid.');
      if ([...records.values()].some((x) => x.zoneId === zoneId && x.name === r.name.toLowerCase() && x.type === r.type && x.content === r.content)) {
        return fail(400, 81058, 'An identical record already exists.');
      }
      return envelope(200, shown(add(zoneId, r)));
    }
    if (method === 'GET' && !m[2]) {
      const name = url.searchParams.get('name')?.toLowerCase();
      const type = url.searchParams.get('type');
      const content = url.searchParams.get('content');
      return page([...records.values()].filter((x) => x.zoneId === zoneId && (!name || x.name === name) && (!type || x.type === type) && (content === null || x.content === content)).map(shown), url);
    }
    if (method === 'DELETE' && m[2]) {
      if (!records.delete(m[2])) return fail(404, 81044, 'Record does not exist.');
      return envelope(200, { id: m[2] });
    }
    return fail(405, 10000, 'method not allowed');
  });
  return {
    url: `${api.url}/client/v4`,
    token,
    txt: (fqdn) => [...records.values()].filter((x) => x.name === fqdn.toLowerCase().replace(/\.$/, '') && x.type === 'TXT').map((x) => x.content.replace(/^"|"$/g, '')),
    rateLimitNext: (n) => api.inject({ times: n, ...fail(429, 971, 'Please wait and consider throttling your request speed'), headers: { 'retry-after': '0' } }),
    get requests() { return api.seen.map((s) => `${s.method} ${new URL(s.url, 'http://x').pathname}`); },
    seen: api.seen,
    stop: () => api.stop(),
  };
}
