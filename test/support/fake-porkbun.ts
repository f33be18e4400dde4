import { randomBytes } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/** A record as Porkbun answers it (test/cassettes/porkbun): absolute name, ttl and prio as strings. */
interface Record { id: string; name: string; type: string; content: string; ttl: string; prio: string; notes: string | null }

export interface FakePorkbun {
  api: FakeApiServer;
  /** The provider's api_url. */
  url: string;
  apiKey: string;
  secretApiKey: string;
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

const error = (message: string): FakeAnswer => ({ status: 400, body: { status: 'ERROR', message } });

/**
 * Porkbun's JSON API v3 as the cassettes show it: every call a POST with `apikey` and
 * `secretapikey` in the JSON body, /dns/retrieve/<domain> (400 "Invalid domain."), /dns/create
 * (answers the new numeric id), /dns/delete/<domain>/<id>. From Porkbun's documentation and
 * users' reports, not the recordings: a bad key is 400 "Invalid API key. (002)", TTLs below 600
 * become 600, and its rate limit answers 503 (inject it).
 */
export async function startFakePorkbun(domains: string[]): Promise<FakePorkbun> {
  const apiKey = `pk1_${randomBytes(16).toString('hex')}`;
  const secretApiKey = `sk1_${randomBytes(16).toString('hex')}`;
  registerSecret(apiKey);
  registerSecret(secretApiKey);
  const records: Record[] = [];
  let nextId = 432480875;

  const handle = (req: FakeRequest): FakeAnswer => {
    if (req.method !== 'POST') return { status: 405, body: '' };
    const body = JSON.parse(req.body || '{}') as { apikey?: string; secretapikey?: string; type?: string; content?: string; name?: string; ttl?: number | string; prio?: string };
    if (body.apikey !== apiKey || body.secretapikey !== secretApiKey) return error('Invalid API key. (002)');
    const m = /^\/api\/json\/v3\/(ping|dns\/(retrieve|create|delete)\/([^/]+)(?:\/(\d+))?)$/.exec(req.url.pathname);
    if (m?.[1] === 'ping') return { status: 200, body: { status: 'SUCCESS', yourIp: '127.0.0.1', xForwardedFor: '127.0.0.1' } };
    const domain = m?.[3];
    if (!m || !domain || !domains.includes(domain)) return error('Invalid domain.');
    const inDomain = (r: Record) => r.name === domain || r.name.endsWith(`.${domain}`);
    if (m[2] === 'retrieve') return { status: 200, body: { status: 'SUCCESS', cloudflare: 'enabled', records: records.filter(inDomain) } };
    if (m[2] === 'create') {
      if (!body.type || body.content === undefined) return error('Create error: type and content are required.');
      const id = nextId++;
      records.push({ id: String(id), name: body.name ? `${body.name.toLowerCase()}.${domain}` : domain, type: body.type, content: body.content, ttl: String(Math.max(600, Number(body.ttl ?? 600))), prio: body.prio ?? '0', notes: null });
      return { status: 200, body: { status: 'SUCCESS', id } };
    }
    const at = records.findIndex((r) => r.id === m[4] && inDomain(r));
    if (at < 0) return error('Delete error: Invalid record id.');
    records.splice(at, 1);
    return { status: 200, body: { status: 'SUCCESS' } };
  };

  const api = await startFakeApiServer(handle);
  return {
    api, url: `${api.url}/api/json/v3`, apiKey, secretApiKey,
    txt: (fqdn) => records.filter((r) => r.type === 'TXT' && r.name === fqdn.toLowerCase()).map((r) => r.content),
    stop: () => api.stop(),
  };
}
