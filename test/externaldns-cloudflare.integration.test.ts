import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudflareProvider } from '../src/dns/cloudflare/cloudflare-provider.js';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '../src/externaldns/endpoint.js';
import { startWebhookServer } from '../src/externaldns/webhook-server.js';
import { WebhookService } from '../src/externaldns/webhook-service.js';
import { startFakeCloudflare, type FakeCloudflare } from '../src/testing/fake-cloudflare.js';
import { captureLog } from '../src/testing/test-log.js';

let t: FakeCloudflare;
let server: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  t = await startFakeCloudflare(['example.test']);
  const cap = captureLog();

  const backend = new CloudflareProvider({ id: 'cf', apiToken: t.token, apiUrl: t.url });
  server = await startWebhookServer(new WebhookService(backend, { include: ['example.test'] }, 300, cap.log), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 1000 }, cap.log);
});
afterAll(async () => {
  await server?.close();
  await t?.stop();
});

describe('ExternalDNS webhook on Cloudflare (fake of API v4, batch endpoint)', () => {
  it('round trip keeps multi-target A whole, TXT quotes byte for byte; each change set is one batch call', async () => {
    const post = (path: string, body: unknown) => fetch(`${server.address}${path}`, { method: 'POST', headers: { 'content-type': WEBHOOK_MEDIA_TYPE }, body: JSON.stringify(body) });
    const records = async () => await (await fetch(`${server.address}/records`)).json() as Endpoint[];
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
    expect(t.txt('a-www.example.test')).toEqual(['heritage=external-dns,external-dns/owner=k8s']);
    const a = current.find((e) => e.recordType === 'A')!;
    expect((await post('/records', { updateOld: [a], updateNew: [{ ...a, targets: ['192.0.2.3', '192.0.2.4'] }], delete: [current.find((e) => e.recordType === 'CNAME')] })).status).toBe(204);
    const after = await records();
    expect(after.find((e) => e.recordType === 'A')!.targets).toEqual(['192.0.2.3', '192.0.2.4']);
    expect(after.find((e) => e.recordType === 'CNAME')).toBeUndefined();
    expect(t.requests.filter((r) => r.endsWith('/dns_records/batch'))).toHaveLength(2);
  });
});
