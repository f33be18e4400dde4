import { expect } from 'vitest';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '../../src/externaldns/endpoint.js';

/** The webhook calls as ExternalDNS makes them. */
export function webhookClient(address: string) {
  return {
    post: (path: string, body: unknown) => fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': WEBHOOK_MEDIA_TYPE }, body: JSON.stringify(body) }),
    records: async () => await (await fetch(`${address}/records`)).json() as Endpoint[],
  };
}

/**
 * The round trip every record provider must pass through the webhook: create a two-target A,
 * a quoted ownership TXT, a CNAME and an apex MX; read them back exactly as adjusted (so the
 * next plan is empty); update the A and delete the CNAME in one change set. `storedTxt` reads
 * the TXT text from the provider's own side, to show the quotes are not stored as text.
 */
export async function expectWebhookRoundTrip(address: string, storedTxt: (fqdn: string) => string[]): Promise<void> {
  const { post, records } = webhookClient(address);
  const desired: Endpoint[] = [
    { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
    { dnsName: 'a-www.example.test', recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=k8s"'] },
    { dnsName: 'alias.example.test', recordType: 'CNAME', targets: ['www.example.test'] },
    { dnsName: 'example.test', recordType: 'MX', targets: ['10 mail.example.test'] },
  ];
  const adjusted = await (await post('/adjustendpoints', desired)).json() as Endpoint[];
  expect((await post('/records', { create: adjusted })).status).toBe(204);
  const current = await records();
  expect(current).toEqual([
    { dnsName: 'a-www.example.test', recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=k8s"'], recordTTL: 300 },
    { dnsName: 'alias.example.test', recordType: 'CNAME', targets: ['www.example.test'], recordTTL: 300 },
    { dnsName: 'example.test', recordType: 'MX', targets: ['10 mail.example.test'], recordTTL: 300 },
    { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'], recordTTL: 300 },
  ]);
  expect(storedTxt('a-www.example.test')).toEqual(['heritage=external-dns,external-dns/owner=k8s']);
  const a = current.find((e) => e.recordType === 'A')!;
  expect((await post('/records', { updateOld: [a], updateNew: [{ ...a, targets: ['192.0.2.3', '192.0.2.4'] }], delete: [current.find((e) => e.recordType === 'CNAME')] })).status).toBe(204);
  const after = await records();
  expect(after.find((e) => e.recordType === 'A')!.targets).toEqual(['192.0.2.3', '192.0.2.4']);
  expect(after.find((e) => e.recordType === 'CNAME')).toBeUndefined();
}
