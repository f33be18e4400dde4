import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processRedactor } from '../redaction.js';
import { captureLog } from '../../test/support/test-log.js';
import { WEBHOOK_MEDIA_TYPE } from './endpoint.js';
import { rrsetsOf, type RRset } from '../dns/rrset.js';
import type { RecordBackend } from './record-backend.js';
import { routeLabel, startWebhookServer, type WebhookServerOptions } from './webhook-server.js';
import { WebhookService } from './webhook-service.js';

const cap = captureLog();
const TOKEN = 'wh-test-token-7c1f9d0a4b2e8f3c6a5d1e0b9f8a7c6d';

/** A backend that records what it was asked to apply. */
function fakeBackend(maxTtl?: number) {
  const applied: { zone: string; replace: RRset[] }[] = [];
  const backend: RecordBackend = {
    id: 'fake',
    ...(maxTtl ? { maxTtl } : {}),
    listZones: () => Promise.resolve(['example.test']),
    getRecords: () => Promise.resolve([]),
    setRecords: (zone, records) => {
      applied.push({ zone, replace: rrsetsOf(zone, records) });
      return Promise.resolve(records);
    },
  };
  return { backend, applied };
}

const servers: Awaited<ReturnType<typeof startWebhookServer>>[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<WebhookServerOptions> = {}, service = new WebhookService(fakeBackend().backend, { include: ['example.test'] }, 300, cap.log)) {
  const s = await startWebhookServer(service, { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 100_000, ...opts }, cap.log);
  servers.push(s);
  return s;
}

const postRecords = (address: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${address}/records`, { method: 'POST', headers: { 'content-type': WEBHOOK_MEDIA_TYPE, ...headers }, body: JSON.stringify(body) });

describe('routeLabel', () => {
  it('maps paths to a fixed set of route names', () => {
    const routes = ['/', '/records', '/adjustendpoints'];
    expect(routeLabel('/records?x=1', routes)).toBe('/records');
    expect(routeLabel('/', routes)).toBe('/');
    expect(routeLabel(`/${'a'.repeat(8192)}`, routes)).toBe('unknown');
    expect(routeLabel('/records/', routes)).toBe('unknown');
    expect(routeLabel(undefined, routes)).toBe('/');
  });
});

describe('webhook bearer token (issue 13 item 11)', () => {
  it('no token or a wrong one is 401 with WWW-Authenticate: Bearer; the right one is served; nothing applied without it', async () => {
    const { backend, applied } = fakeBackend();
    const s = await start({ token: TOKEN }, new WebhookService(backend, { include: ['example.test'] }, 300, cap.log));
    const create = { create: [{ dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1'] }] };

    const none = await postRecords(s.address, create);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="certfleet-webhook"');
    expect((await postRecords(s.address, create, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await postRecords(s.address, create, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await fetch(`${s.address}/records`)).status).toBe(401);
    expect((await fetch(`${s.address}/`, { headers: { authorization: 'Bearer ' } })).status).toBe(401);
    expect(applied).toEqual([]);

    expect((await postRecords(s.address, create, { authorization: `Bearer ${TOKEN}` })).status).toBe(204);
    expect((await fetch(`${s.address}/records`, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    expect(applied).toHaveLength(1);
    expect((await fetch(`${s.healthAddress}/healthz`)).status).toBe(200); // probes carry no token
  });

  it('logs where it listens, with snake_case fields', async () => {
    const s = await start();
    expect(cap.records().filter((r) => r.msg === 'webhook_listening').at(-1)).toMatchObject({ address: s.address, health_address: s.healthAddress });
  });

  it('registers the token with the process redactor', async () => {
    await start({ token: TOKEN });
    expect(processRedactor.redact(`Authorization: Bearer ${TOKEN}`)).toBe('Authorization: Bearer [redacted]');
  });
});

describe('webhook metrics (issue 13 item 14)', () => {
  it('10,000 distinct 8 KB paths, most of them rate limited, leave a handful of series and a small /metrics', async () => {
    const s = await start({ ratePerSecond: 50 });
    const PATHS = 10_000;
    let next = 0;
    const statuses = new Set<number>();
    // 32 at a time: enough to be quick, few enough not to exhaust loopback ports.
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < PATHS) {
        const i = next++;
        const res = await fetch(`${s.address}/${String(i).padStart(6, '0')}${'x'.repeat(8192)}`);
        statuses.add(res.status);
        await res.arrayBuffer();
      }
    }));
    expect(statuses).toEqual(new Set([404, 503]));
    const metrics = await (await fetch(`${s.healthAddress}/metrics`)).text();
    const series = metrics.split('\n').filter((l) => l.startsWith('certfleet_webhook_requests_total{'));
    expect(series.length).toBeLessThanOrEqual(4);
    expect(series).toEqual(expect.arrayContaining([expect.stringMatching(/^certfleet_webhook_requests_total\{route="unknown",status="503"\} \d+$/)]));
    expect(metrics.length).toBeLessThan(2048);
    expect(cap.lines.some((l) => l.includes('x'.repeat(100)))).toBe(false); // nor a raw path in the log
  });
});

describe('webhook dnsName (issue 13 item 15)', () => {
  // Unanchored: quadratic in the name's length (about 18 s on a 200 KB name, as the review measured).
  const PATTERN = '(?:[a-z0-9-]+\\.)*internal\\.example\\.test$';

  it('a 200 KB dnsName is a 400 naming the field, and the operator\'s regex_exclude never runs on it', async () => {
    const { backend, applied } = fakeBackend();
    const s = await start({}, new WebhookService(backend, { regexExclude: PATTERN }, 300, cap.log));
    const operatorRegexCalls = () => spy.mock.contexts.filter((re) => re instanceof RegExp && re.source === PATTERN).length;
    const spy = vi.spyOn(RegExp.prototype, 'test');

    const res = await postRecords(s.address, { create: [{ dnsName: `${'a'.repeat(200 * 1024)}.example.test`, recordType: 'A', targets: ['192.0.2.1'] }] });
    expect(operatorRegexCalls()).toBe(0);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('create[0].dnsName: expected a DNS name of at most 253 characters, got 204813');
    expect(applied).toEqual([]);

    // The spy does see the pattern when a valid name reaches the filter.
    expect((await postRecords(s.address, { create: [{ dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1'] }] })).status).toBe(204);
    expect(operatorRegexCalls()).toBeGreaterThan(0);
  });

  it('adjustendpoints checks names the same way', async () => {
    const s = await start();
    const res = await fetch(`${s.address}/adjustendpoints`, { method: 'POST', headers: { 'content-type': WEBHOOK_MEDIA_TYPE }, body: JSON.stringify([{ dnsName: `${'b'.repeat(64)}.example.test`, recordType: 'A' }]) });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('[0].dnsName: label 1 has 64 characters, more than 63');
  });
});

describe('webhook TTLs (issue 13 item 18)', () => {
  it('above the provider\'s own maximum is a 400; at it, applied', async () => {
    const { backend, applied } = fakeBackend(86_400);
    const s = await start({}, new WebhookService(backend, { include: ['example.test'] }, 300, cap.log));
    const res = await postRecords(s.address, { create: [{ dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 86_401 }] });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^create\[0\]\.recordTTL: expected a whole number of seconds from 1 to 86400/);
    expect((await postRecords(s.address, { create: [{ dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 86_400 }] })).status).toBe(204);
    expect(applied.map((a) => a.replace[0]!.ttl)).toEqual([86_400]);
  });

  it('a default TTL above the provider\'s maximum is refused at start', () => {
    expect(() => new WebhookService(fakeBackend(86_400).backend, { include: [] }, 100_000, cap.log)).toThrow(/default TTL 100000 is outside 1\.\.86400/);
  });
});

/** One request from a chosen loopback source address. */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('webhook rate limit (issue 13 item 18)', () => {
  it('50 loopback source addresses together get no more than one client\'s allowance', async () => {
    const RATE = 5;
    const s = await start({ ratePerSecond: RATE });
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 50 }, (_v, i) => `127.0.0.${i + 2}`).flatMap((from) =>
      Array.from({ length: 4 }, () => getFrom(from, `${s.address}/`))));
    const elapsed = (performance.now() - started) / 1000;
    const served = statuses.filter((x) => x === 200).length;
    // A bucket of 2 × RATE, refilled at RATE per second: the most any set of clients can get.
    expect(served).toBeLessThanOrEqual(2 * RATE + Math.ceil(elapsed * RATE));
    expect(statuses.filter((x) => x === 503).length).toBe(200 - served);
  });

  it('with a token, a flood without it cannot use up the client\'s allowance', async () => {
    const s = await start({ ratePerSecond: 2, token: TOKEN });
    for (let i = 0; i < 20; i++) await (await fetch(`${s.address}/`)).arrayBuffer();
    expect((await fetch(`${s.address}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });
});
