import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { registerSecret } from './secret-scan.js';

/**
 * A Technitium DNS Server API stand-in, from its API documentation: every answer HTTP 200 with
 * `{status: ok|error|invalid-token|2fa-required}`; login's token at the top level; session tokens
 * that expire (expireSessions()); permanent API tokens; the error strings "Cannot add record:
 * record already exists." and "Cannot delete record: no such record exists."; `legacy` servers
 * that only read the `token` parameter, not `Authorization: Bearer`.
 */
export interface FakeTechnitium {
  url: string;
  apiToken: string;
  user: string;
  password: string;
  txt: (fqdn: string) => string[];
  /** expiryTtl of the TXT record at fqdn with that value (undefined: none). */
  expiryOf: (fqdn: string, value: string) => number | undefined;
  expireSessions: () => void;
  logins: () => number;
  stop: () => Promise<void>;
}

export async function startFakeTechnitium(zones: string[], opts: { legacy?: boolean; twoFactor?: boolean } = {}): Promise<FakeTechnitium> {
  const apiToken = randomBytes(32).toString('hex');
  const user = 'admin';
  const password = `pw-${randomBytes(8).toString('hex')}`;
  registerSecret(apiToken);
  registerSecret(password);
  let sessions = new Set<string>();
  let loginCount = 0;
  const records: { zone: string; name: string; type: string; text: string; rData: Record<string, string | number>; ttl: number; expiryTtl?: number }[] = [];
  // The rData fields per type, as the API names them (TXT's is `text`).
  const RDATA: Record<string, string[]> = { A: ['ipAddress'], AAAA: ['ipAddress'], CNAME: ['cname'], TXT: ['text'], MX: ['preference', 'exchange'], NS: ['nameServer'] };
  const rdataOf = (type: string, p: URLSearchParams) => Object.fromEntries((RDATA[type] ?? []).map((f) => [f, f === 'preference' ? Number(p.get(f)) : (p.get(f) ?? '')]));
  const same = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(a) === JSON.stringify(b);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = new URLSearchParams(body);
      for (const [k, v] of url.searchParams) p.set(k, v);
      const send = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (url.pathname === '/api/user/login') {
        if (p.get('user') !== user || p.get('pass') !== password) return send({ status: 'error', errorMessage: 'Invalid username or password for user: ' + (p.get('user') ?? '') });
        if (opts.twoFactor && !p.get('totp')) return send({ status: '2fa-required', errorMessage: 'A time-based one-time password (TOTP) is required.' });
        loginCount++;
        const token = randomBytes(32).toString('hex');
        registerSecret(token);
        sessions.add(token);
        return send({ displayName: 'Administrator', username: user, token, status: 'ok' });
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const token = (opts.legacy ? undefined : bearer) ?? p.get('token');
      if (!token || (token !== apiToken && !sessions.has(token))) return send({ status: 'invalid-token', errorMessage: 'Invalid token or session expired.' });
      if (url.pathname === '/api/zones/list') {
        return send({ status: 'ok', response: { pageNumber: 1, totalPages: 1, totalZones: zones.length + 1, zones: [
          ...zones.map((z) => ({ name: z, type: 'Primary', internal: false, disabled: false, dnssecStatus: 'Unsigned' })),
          { name: '0.in-addr.arpa', type: 'Primary', internal: true, disabled: false },
        ] } });
      }
      const domain = (p.get('domain') ?? '').toLowerCase().replace(/\.$/, '');
      const zone = (p.get('zone') ?? zones.find((z) => domain === z || domain.endsWith(`.${z}`)) ?? '').toLowerCase();
      if (!zones.includes(zone)) return send({ status: 'error', errorMessage: `No such zone was found: ${p.get('zone') ?? domain}` });
      const text = p.get('text') ?? '';
      const type = p.get('type') ?? '';
      if (url.pathname === '/api/zones/records/get') {
        const list = records.filter((r) => r.zone === zone && (p.get('listZone') === 'true' || r.name === domain));
        return send({ status: 'ok', response: { zone: { name: zone, type: 'Primary' }, records: [
          { name: zone, type: 'SOA', ttl: 900, disabled: false, rData: { primaryNameServer: `ns1.${zone}`, serial: 1 } },
          ...list.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, disabled: false, rData: r.rData })),
        ] } });
      }
      if (!RDATA[type]) return send({ status: 'error', errorMessage: `Type not supported by this fake: ${type}` });
      const rData = rdataOf(type, p);
      if (url.pathname === '/api/zones/records/add') {
        if (p.get('overwrite') === 'true') for (let i = records.length - 1; i >= 0; i--) if (records[i]!.name === domain && records[i]!.type === type) records.splice(i, 1);
        if (records.some((r) => r.name === domain && r.type === type && same(r.rData, rData))) return send({ status: 'error', errorMessage: 'Cannot add record: record already exists.' });
        const expiry = p.get('expiryTtl');
        records.push({ zone, name: domain, type, text, rData, ttl: Number(p.get('ttl') ?? 3600), ...(expiry ? { expiryTtl: Number(expiry) } : {}) });
        return send({ status: 'ok', response: { zone: { name: zone }, addedRecord: { name: domain, type, rData } } });
      }
      if (url.pathname === '/api/zones/records/delete') {
        const i = records.findIndex((r) => r.name === domain && r.type === type && same(r.rData, rData));
        if (i < 0) return send({ status: 'error', errorMessage: 'Cannot delete record: no such record exists.' });
        records.splice(i, 1);
        return send({ status: 'ok' });
      }
      send({ status: 'error', errorMessage: `Invalid API call: ${url.pathname}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    apiToken, user, password,
    txt: (fqdn) => records.filter((r) => r.type === 'TXT' && r.name === fqdn.toLowerCase().replace(/\.$/, '')).map((r) => r.text),
    expiryOf: (fqdn, value) => records.find((r) => r.name === fqdn && r.text === value)?.expiryTtl,
    expireSessions: () => { sessions = new Set(); },
    logins: () => loginCount,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
