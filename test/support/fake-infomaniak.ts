import { randomBytes } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/** A DNS record as Infomaniak answers it (test/cassettes/infomaniak). */
interface Record { id: string; source: string; source_idn: string; type: string; ttl: number; ttl_idn: string; target_idn: string; updated_at: number; dyndns_id: null; priority: number; target: string }

export interface FakeInfomaniak {
  api: FakeApiServer;
  /** The provider's api_url. */
  url: string;
  token: string;
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

const ok = (status: number, data: unknown): FakeAnswer => ({ status, body: { result: 'success', data } });
const fail = (status: number, code: string, description: string): FakeAnswer => ({ status, body: { result: 'error', error: { code, description } } });

/**
 * Infomaniak's API v1 as the cassettes show it: Bearer tokens, the domain as a product found
 * with /1/product?service_name=domain&customer_name=<name>, its records at
 * /1/domain/<product id>/dns/record (listed whole, POST answers the new id as a string, DELETE
 * answers true), everything in a {result, data} envelope. From the API's documentation, not the
 * recordings: 401 not_authorized, 404 for an unknown product or record, '.' as the apex source.
 */
export async function startFakeInfomaniak(domains: string[]): Promise<FakeInfomaniak> {
  const token = `ik-${randomBytes(16).toString('hex')}`;
  registerSecret(token);
  const products = domains.map((d, i) => ({ id: 890190 + i, account_id: 1578, service_id: 14, service_name: 'domain', customer_name: d, internal_name: null, created_at: 1540455848, expired_at: 1634680800, version: 1, maintenance: false, locked: false, operation_in_progress: false, tags: [], unique_id: 2787023 + i, description: '', is_free: false, is_zero_price: false, rights: { technical: true } }));
  const records = new Map<number, Record[]>(products.map((p) => [p.id, []]));
  let nextId = 10041035;

  const handle = (req: FakeRequest): FakeAnswer => {
    if (req.headers.authorization !== `Bearer ${token}`) return fail(401, 'not_authorized', 'Authorization required');
    const q = req.url.searchParams;
    if (req.method === 'GET' && req.url.pathname === '/1/product') {
      return ok(200, products.filter((p) => (!q.has('service_name') || p.service_name === q.get('service_name')) && (!q.has('customer_name') || p.customer_name === q.get('customer_name'))));
    }
    const m = /^\/1\/domain\/(\d+)\/dns\/record(?:\/(\d+))?$/.exec(req.url.pathname);
    const product = products.find((p) => p.id === Number(m?.[1]));
    const list = product ? records.get(product.id)! : undefined;
    if (!m || !product || !list) return fail(404, 'not_found', 'Object not found');
    if (req.method === 'GET' && !m[2]) return ok(200, list);
    if (req.method === 'POST' && !m[2]) {
      const b = JSON.parse(req.body) as { type: string; source: string; target: string; ttl?: number; priority?: number };
      const fqdn = b.source === '.' ? product.customer_name : `${b.source.toLowerCase()}.${product.customer_name}`;
      const id = String(nextId++);
      list.push({ id, source: b.source, source_idn: fqdn, type: b.type, ttl: b.ttl ?? 3600, ttl_idn: `${b.ttl ?? 3600} s.`, target_idn: b.target, updated_at: Math.floor(Date.now() / 1000), dyndns_id: null, priority: b.priority ?? 10, target: b.target });
      return ok(201, id);
    }
    if (req.method === 'DELETE' && m[2]) {
      const at = list.findIndex((r) => r.id === m[2]);
      if (at < 0) return fail(404, 'not_found', 'Object not found');
      list.splice(at, 1);
      return ok(200, true);
    }
    return fail(405, 'method_not_allowed', 'Method not allowed');
  };

  const api = await startFakeApiServer(handle);
  return {
    api, url: api.url, token,
    txt: (fqdn) => [...records.values()].flat().filter((r) => r.type === 'TXT' && r.source_idn === fqdn.toLowerCase()).map((r) => r.target),
    stop: () => api.stop(),
  };
}
