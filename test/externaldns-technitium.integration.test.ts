import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TechnitiumProvider } from '../src/dns/technitium/technitium-provider.js';
import { startWebhookServer } from '../src/externaldns/webhook-server.js';
import { WebhookService } from '../src/externaldns/webhook-service.js';
import { startFakeTechnitium, type FakeTechnitium } from './support/fake-technitium.js';
import { captureLog } from './support/test-log.js';
import { expectWebhookRoundTrip } from './support/webhook-round-trip.js';

let t: FakeTechnitium;
let server: Awaited<ReturnType<typeof startWebhookServer>>;
beforeAll(async () => {
  t = await startFakeTechnitium(['example.test']);
  const cap = captureLog();
  // Login with a session (not a token): the session is kept across calls, not renewed per call.
  const backend = new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, username: t.user, password: t.password });
  server = await startWebhookServer(new WebhookService(backend, { include: ['example.test'] }, 300, cap.log), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 1000 }, cap.log);
});
afterAll(async () => {
  await server?.close();
  await t?.stop();
});

describe('ExternalDNS webhook on Technitium (fake from its API docs)', () => {
  it('round trip keeps multi-target A whole, TXT quotes byte for byte, skips internal zones and SOA; one login', async () => {
    await expectWebhookRoundTrip(server.address, (f) => t.txt(f));
    expect(t.logins()).toBe(1);
  });
});
