import type { PowerDnsServer } from '../../support/powerdns-server.js';

/** Every TXT value in `zone` as `name value`, sorted (PowerDNS's API, names without the dot). */
export async function zoneTxt(pdns: Pick<PowerDnsServer, 'apiUrl' | 'apiKey'>, zone: string): Promise<string[]> {
  const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'x-api-key': pdns.apiKey }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`reading zone ${zone}: HTTP ${res.status}`);
  const z = (await res.json()) as { rrsets: { name: string; type: string; records: { content: string }[] }[] };
  return z.rrsets.filter((r) => r.type === 'TXT').flatMap((r) => r.records.map((v) => `${r.name.replace(/\.$/, '')} ${v.content}`)).sort();
}
