import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudflareProvider } from '../src/dns/cloudflare/cloudflare-provider.js';
import { startWebhookServer } from '../src/externaldns/webhook-server.js';
import { WebhookService } from '../src/externaldns/webhook-service.js';
import { startFakeCloudflare, type FakeCloudflare } from './support/fake-cloudflare.js';
import { captureLog } from './support/test-log.js';
import { expectWebhookRoundTrip } from './support/webhook-round-trip.js';

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
    await expectWebhookRoundTrip(server.address, (f) => t.txt(f));
    expect(t.requests.filter((r) => r.endsWith('/dns_records/batch'))).toHaveLength(2);
  });
});
