import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { registerSecret } from './secret-scan.js';

/**
 * An acme-dns stand-in written from joohoi/acme-dns's README: `POST /register` gives
 * {username, password, fulldomain, subdomain}; `POST /update` with X-Api-User / X-Api-Key and
 * {subdomain, txt} keeps the two most recent values (43-character tokens in real acme-dns; any
 * value here); 401 `{"error":"forbidden"}` for bad credentials, 400 `{"error":"bad_subdomain"}`
 * for a subdomain of another account.
 */
export interface FakeAcmeDns {
  url: string;
  domain: string;
  txt: (fqdn: string) => string[];
  stop: () => Promise<void>;
}

export async function startFakeAcmeDns(domain = 'auth.acme-dns.test'): Promise<FakeAcmeDns> {
  const accounts = new Map<string, { password: string; subdomain: string; values: string[] }>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const json = (status: number, v: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (req.method === 'POST' && req.url === '/register') {
        const username = randomUUID();
        const password = randomBytes(20).toString('base64url');
        registerSecret(password);
        const subdomain = randomUUID();
        accounts.set(username, { password, subdomain, values: [] });
        return json(201, { username, password, fulldomain: `${subdomain}.${domain}`, subdomain, allowfrom: [] });
      }
      if (req.method === 'POST' && req.url === '/update') {
        const a = accounts.get(String(req.headers['x-api-user'] ?? ''));
        if (!a || a.password !== req.headers['x-api-key']) return json(401, { error: 'forbidden' });
        let u: { subdomain?: string; txt?: string };
        try { u = JSON.parse(body) as typeof u; } catch { return json(400, { error: 'malformed_json_payload' }); }
        if (u.subdomain !== a.subdomain) return json(401, { error: 'forbidden' });
        if (!u.txt) return json(400, { error: 'bad_txt' });
        a.values = [...a.values, u.txt].slice(-2);
        return json(200, { txt: u.txt });
      }
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    domain,
    txt: (fqdn) => [...accounts.values()].find((a) => `${a.subdomain}.${domain}` === fqdn.toLowerCase().replace(/\.$/, ''))?.values ?? [],
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
