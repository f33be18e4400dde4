import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { registerSecret } from './secret-scan.js';

/**
 * A Cloudflare API v4 stand-in, written from the API documentation: Bearer tokens, the
 * `{success, errors, result}` envelope, zones looked up by name, TXT records created, listed and
 * deleted by id, code 81058 for an identical record, 81044 for a missing one, 10000 for a bad
 * token, and 429 with Retry-After on demand.
 */
export interface FakeCloudflare {
  url: string;
  token: string;
  /** TXT contents at a name (quotes removed). */
  txt: (fqdn: string) => string[];
  /** The next `n` requests answer 429. */
  rateLimitNext: (n: number) => void;
  requests: string[];
  stop: () => Promise<void>;
}

export async function startFakeCloudflare(zones: string[]): Promise<FakeCloudflare> {
  const token = `cf-${randomBytes(12).toString('hex')}`;
  registerSecret(token);
  const zoneIds = new Map(zones.map((z) => [z, randomBytes(16).toString('hex')]));
  const records = new Map<string, { id: string; zoneId: string; type: string; name: string; content: string; ttl: number; priority?: number }>();
  const requests: string[] = [];
  let limited = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { success: true, errors: [], messages: [], result });
  const fail = (res: ServerResponse, status: number, code: number, message: string) => send(res, status, { success: false, errors: [{ code, message }], messages: [], result: null });

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    if (limited > 0) {
      limited--;
      return fail(res, 429, 971, 'Please wait and consider throttling your request speed');
    }
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 403, 10000, 'Authentication error');
    const path = url.pathname.replace(/^\/client\/v4/, '');
    if (req.method === 'GET' && path === '/zones') {
      const name = url.searchParams.get('name');
      return ok(res, [...zoneIds].filter(([z]) => !name || z === name).map(([z, id]) => ({ id, name: z, status: 'active' })));
    }
    const m = /^\/zones\/([0-9a-f]+)\/dns_records(?:\/([0-9a-f]+|batch))?$/.exec(path);
    if (!m || ![...zoneIds.values()].includes(m[1]!)) return fail(res, 404, 7003, 'Could not route to /zones, perhaps your object identifier is invalid?');
    const zoneId = m[1]!;
    if (req.method === 'POST' && path.endsWith('/dns_records/batch')) {
      // All or nothing: every delete must name an existing record of the zone, every post be valid.
      const b = JSON.parse(body) as { deletes?: { id: string }[]; posts?: { type: string; name: string; content: string; ttl: number; priority?: number }[] };
      for (const d of b.deletes ?? []) if (records.get(d.id)?.zoneId !== zoneId) return fail(res, 404, 81044, 'Record does not exist.');
      for (const p of b.posts ?? []) if (!['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS'].includes(p.type) || !p.name) return fail(res, 400, 9000, 'DNS name is invalid.');
      for (const d of b.deletes ?? []) records.delete(d.id);
      const posts = (b.posts ?? []).map((p) => {
        const rec = { id: randomBytes(16).toString('hex'), zoneId, type: p.type, name: p.name.toLowerCase(), content: p.content, ttl: p.ttl, ...(p.priority !== undefined ? { priority: p.priority } : {}) };
        records.set(rec.id, rec);
        return rec;
      });
      return ok(res, { deletes: b.deletes ?? [], posts });
    }
    if (req.method === 'POST' && !m[2]) {
      const r = JSON.parse(body) as { type: string; name: string; content: string; ttl: number };
      if (r.type !== 'TXT' || !r.name || r.content === undefined) return fail(res, 400, 9000, 'DNS name is invalid.');
      if ([...records.values()].some((x) => x.zoneId === zoneId && x.name === r.name && x.type === r.type && x.content === r.content)) {
        return fail(res, 400, 81058, 'An identical record already exists.');
      }
      const rec = { id: randomBytes(16).toString('hex'), zoneId, type: r.type, name: r.name.toLowerCase(), content: r.content, ttl: r.ttl };
      records.set(rec.id, rec);
      return ok(res, rec);
    }
    if (req.method === 'GET' && !m[2]) {
      const name = url.searchParams.get('name')?.toLowerCase();
      const type = url.searchParams.get('type');
      return ok(res, [...records.values()].filter((x) => x.zoneId === zoneId && (!name || x.name === name) && (!type || x.type === type)));
    }
    if (req.method === 'DELETE' && m[2]) {
      if (!records.delete(m[2])) return fail(res, 404, 81044, 'Record does not exist.');
      return ok(res, { id: m[2] });
    }
    return fail(res, 405, 10000, 'method not allowed');
  };

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      if (limited > 0 && req.headers.authorization) res.setHeader('retry-after', '0');
      handle(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/client/v4`,
    token,
    txt: (fqdn) => [...records.values()].filter((x) => x.name === fqdn.toLowerCase().replace(/\.$/, '') && x.type === 'TXT').map((x) => x.content.replace(/^"|"$/g, '')),
    rateLimitNext: (n) => { limited = n; },
    requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
