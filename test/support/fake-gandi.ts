import { randomBytes } from 'node:crypto';
import { quoteTxt, unquoteTxt } from '../../src/dns/txt-presentation.js';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

interface RRset { rrset_type: string; rrset_ttl: number; rrset_name: string; rrset_values: string[] }

export interface FakeGandi {
  server: FakeApiServer;
  /** The LiveDNS base (`…/v5/livedns`). */
  apiUrl: string;
  personalAccessToken: string;
  apiKey: string;
  txt: (fqdn: string) => string[];
  rrsets: (domain: string) => RRset[];
  put: (domain: string, rr: RRset) => void;
  stop: () => Promise<void>;
}

const error = (code: number, message: string, object: string, cause: string): FakeAnswer => ({ status: code, body: { code, message, object, cause } });
const recordNotFound = (name: string, type: string) => error(404, `Can't find the DNS record ${name}/${type} in the zone`, 'dns-record', 'Not Found');

/**
 * Gandi LiveDNS API v5 as the recordings show it (test/cassettes/gandi/REST-IntegrationTests):
 * a domain answers its hrefs or the recorded 404 `HTTPNotFound`; an RRset by name and type is
 * read (404 "Can't find the DNS record …"), created with POST (201 "DNS Record Created"; 409
 * when it exists), replaced with PUT, deleted (204); TXT values written unquoted come back
 * quoted, as recorded. Credentials as Gandi's documentation has them: `Authorization: Bearer`
 * for a personal access token, `Authorization: Apikey` for the deprecated key; the domain
 * listing (GET /domains) is from the documentation too, the recordings have none.
 */
export async function startFakeGandi(domains: string[]): Promise<FakeGandi> {
  const personalAccessToken = `pat_${randomBytes(16).toString('hex')}`;
  const apiKey = randomBytes(12).toString('base64url');
  registerSecret(personalAccessToken);
  registerSecret(apiKey);
  const data = new Map<string, RRset[]>(domains.map((d) => [d, [{ rrset_type: 'A', rrset_ttl: 600, rrset_name: '@', rrset_values: ['192.0.2.10'] }]]));
  const href = (d: string) => `${server.url}/v5/livedns/domains/${d}`;
  const withHref = (d: string, r: RRset) => ({ ...r, rrset_href: `${href(d)}/records/${encodeURIComponent(r.rrset_name)}/${r.rrset_type}` });
  const stored = (type: string, values: string[]) => values.map((v) => (type === 'TXT' && !v.startsWith('"') ? quoteTxt(v) : v));

  const server: FakeApiServer = await startFakeApiServer((req) => {
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${personalAccessToken}` && auth !== `Apikey ${apiKey}`) return error(401, 'The server could not verify that you are authorized to access the document you requested.', 'HTTPUnauthorized', 'Unauthorized');
    const path = req.url.pathname;
    if (req.method === 'GET' && path === '/v5/livedns/domains') return { status: 200, body: [...data.keys()].map((d) => ({ fqdn: d, domain_href: href(d), domain_records_href: `${href(d)}/records` })) };
    const m = /^\/v5\/livedns\/domains\/([^/]+)(?:\/records(?:\/([^/]+)(?:\/([^/]+))?)?)?$/.exec(path);
    const domain = m ? decodeURIComponent(m[1]!) : '';
    const sets = data.get(domain);
    if (!m || !sets) return error(404, 'The resource could not be found.', 'HTTPNotFound', 'Not Found');
    if (!path.includes('/records')) return { status: 200, body: { domain_keys_href: `${href(domain)}/keys`, fqdn: domain, automatic_snapshots: true, domain_records_href: `${href(domain)}/records`, domain_href: href(domain) } };
    if (!m[2]) return req.method === 'GET' ? { status: 200, body: sets.map((r) => withHref(domain, r)) } : error(405, 'Method Not Allowed', 'HTTPMethodNotAllowed', 'Method Not Allowed');
    const name = decodeURIComponent(m[2]).toLowerCase();
    if (!m[3]) return error(405, 'Method Not Allowed', 'HTTPMethodNotAllowed', 'Method Not Allowed');
    const type = decodeURIComponent(m[3]);
    const at = sets.findIndex((r) => r.rrset_name === name && r.rrset_type === type);
    if (req.method === 'GET') return at < 0 ? recordNotFound(name, type) : { status: 200, body: withHref(domain, sets[at]!) };
    if (req.method === 'DELETE') {
      if (at < 0) return recordNotFound(name, type);
      sets.splice(at, 1);
      return { status: 204 };
    }
    if (req.method === 'POST' || req.method === 'PUT') {
      const b = JSON.parse(req.body || '{}') as { rrset_values?: string[]; rrset_ttl?: number };
      if (!Array.isArray(b.rrset_values) || b.rrset_values.length === 0) return { status: 400, body: { code: 400, message: 'Validation error', object: 'dns-record', cause: 'Bad Request', errors: [{ location: 'body', name: 'rrset_values', description: 'Shorter than minimum length 1.' }] } };
      if (b.rrset_ttl !== undefined && (b.rrset_ttl < 300 || b.rrset_ttl > 2_592_000)) return { status: 400, body: { code: 400, message: 'Validation error', object: 'dns-record', cause: 'Bad Request', errors: [{ location: 'body', name: 'rrset_ttl', description: 'Must be between 300 and 2592000.' }] } };
      if (req.method === 'POST' && at >= 0) return error(409, 'A DNS Record already exists with same value', 'dns-record', 'Conflict');
      const rr = { rrset_type: type, rrset_ttl: b.rrset_ttl ?? 10800, rrset_name: name, rrset_values: stored(type, b.rrset_values) };
      if (at >= 0) sets[at] = rr;
      else sets.push(rr);
      return { status: 201, body: { message: 'DNS Record Created' } };
    }
    return error(405, 'Method Not Allowed', 'HTTPMethodNotAllowed', 'Method Not Allowed');
  });

  const domainOf = (fqdn: string) => [...data.keys()].filter((d) => fqdn === d || fqdn.endsWith(`.${d}`)).sort((a, b) => b.length - a.length)[0]!;
  return {
    server, apiUrl: `${server.url}/v5/livedns`, personalAccessToken, apiKey,
    txt: (fqdn) => {
      const d = domainOf(fqdn);
      const name = fqdn === d ? '@' : fqdn.slice(0, -(d.length + 1));
      return data.get(d)!.filter((r) => r.rrset_name === name && r.rrset_type === 'TXT').flatMap((r) => r.rrset_values.map(unquoteTxt));
    },
    rrsets: (d) => data.get(d)!,
    put: (d, rr) => { data.set(d, [...data.get(d)!.filter((r) => !(r.rrset_name === rr.rrset_name && r.rrset_type === rr.rrset_type)), rr]); },
    stop: () => server.stop(),
  };
}
