import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsProvider } from '../src/dns/powerdns.js';
import { WEBHOOK_MEDIA_TYPE, type Endpoint } from '../src/externaldns/endpoint.js';
import type { RecordBackend } from '../src/externaldns/record-backend.js';
import { startWebhookServer } from '../src/externaldns/webhook-server.js';
import { WebhookService } from '../src/externaldns/webhook-service.js';
import { startPowerDns, type PowerDnsServer } from './support/powerdns-server.js';
import { captureLog } from './support/test-log.js';

let pdns: PowerDnsServer;
let server: Awaited<ReturnType<typeof startWebhookServer>>;
const cap = captureLog();

beforeAll(async () => {
  pdns = await startPowerDns(['example.test', 'other.test']);
  const backend = new PowerDnsProvider({ id: 'home', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });
  const service = new WebhookService(backend, { include: ['example.test'], exclude: [] }, 300, cap.log);
  server = await startWebhookServer(service, { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 1000 }, cap.log);
});
afterAll(async () => {
  await server?.close();
  await pdns?.stop();
});

const get = (path: string) => fetch(`${server.address}${path}`, { headers: { accept: WEBHOOK_MEDIA_TYPE } });
const post = (path: string, body: unknown, type = WEBHOOK_MEDIA_TYPE) => fetch(`${server.address}${path}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** ExternalDNS's planner, reduced to what matters here: desired (adjusted) vs current, by name+type. */
function plan(desired: Endpoint[], current: Endpoint[]): string[] {
  const key = (e: Endpoint) => `${e.dnsName!} ${e.recordType!}`;
  const cur = new Map(current.map((e) => [key(e), e]));
  const diff: string[] = [];
  for (const d of desired) {
    const c = cur.get(key(d));
    if (!c) diff.push(`create ${key(d)}`);
    else if (JSON.stringify([...d.targets!].sort()) !== JSON.stringify([...c.targets!].sort()) || d.recordTTL !== c.recordTTL) diff.push(`update ${key(d)}`);
    cur.delete(key(d));
  }
  return diff;
}

describe('ExternalDNS webhook against real PowerDNS', () => {
  it('negotiates with the exact media type and the domain filter', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
    expect(await res.json()).toEqual({ include: ['example.test'], exclude: [] });
  });

  it('round trip: multi-target A and a quoted ownership TXT; re-read gives an empty plan; update; delete', async () => {
    const desired: Endpoint[] = [
      { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.2', '192.0.2.1'] },
      { dnsName: 'a-www.example.test', recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=k8s,external-dns/resource=ingress/default/web"'] },
      { dnsName: 'Alias.Example.Test.', recordType: 'CNAME', targets: ['www.example.test.'], recordTTL: 60, providerSpecific: [{ name: 'webhook/x', value: 'y' }] },
    ];
    const adjusted = await (await post('/adjustendpoints', desired)).json() as Endpoint[];
    expect(adjusted[2]).toEqual({ dnsName: 'alias.example.test', recordType: 'CNAME', targets: ['www.example.test'], recordTTL: 60 });
    expect((await post('/records', { create: adjusted })).status).toBe(204);
    const current = await (await get('/records')).json() as Endpoint[];
    expect(current).toEqual(expect.arrayContaining([
      { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'], recordTTL: 300 },
      { dnsName: 'a-www.example.test', recordType: 'TXT', targets: [desired[1]!.targets![0]], recordTTL: 300 },
      { dnsName: 'alias.example.test', recordType: 'CNAME', targets: ['www.example.test'], recordTTL: 60 },
    ]));
    expect(current.filter((e) => e.dnsName === 'www.example.test')).toHaveLength(1); // aggregated
    expect(current.some((e) => e.recordType === 'SOA' || (e.recordType === 'NS' && e.dnsName === 'example.test'))).toBe(false);
    // ExternalDNS's next loop: the same desired state, adjusted, against what it reads: nothing to do.
    expect(plan(await (await post('/adjustendpoints', desired)).json() as Endpoint[], current)).toEqual([]);

    // Update (old spelling, as ExternalDNS < 0.17 sends it) and delete.
    const old = current.find((e) => e.recordType === 'A')!;
    expect((await post('/records', { UpdateOld: [old], UpdateNew: [{ ...old, targets: ['192.0.2.3'] }], Delete: [current.find((e) => e.recordType === 'CNAME')] })).status).toBe(204);
    const after = await (await get('/records')).json() as Endpoint[];
    expect(after.find((e) => e.recordType === 'A')!.targets).toEqual(['192.0.2.3']);
    expect(after.find((e) => e.recordType === 'CNAME')).toBeUndefined();
  });

  it('an apex ownership record outside the zone is skipped, the rest applied', async () => {
    const res = await post('/records', { create: [
      { dnsName: 'example.test', recordType: 'A', targets: ['192.0.2.9'], recordTTL: 300 },
      { dnsName: 'a-example.test', recordType: 'TXT', targets: ['"heritage=external-dns"'], recordTTL: 300 },
    ] });
    expect(res.status).toBe(204);
    const records = await (await get('/records')).json() as Endpoint[];
    expect(records.find((e) => e.dnsName === 'example.test' && e.recordType === 'A')?.targets).toEqual(['192.0.2.9']);
    expect(cap.records().some((r) => r.msg === 'endpoints_outside_managed_zones')).toBe(true);
  });

  it('bad input: malformed JSON 400, wrong media type 415, unknown type 400 and nothing applied, oversized 413, unknown route 404', async () => {
    expect((await post('/records', '{not json')).status).toBe(400);
    expect((await post('/records', {}, 'application/json')).status).toBe(415);
    const bad = await post('/records', { create: [{ dnsName: 'new.example.test', recordType: 'A', targets: ['192.0.2.5'] }, { dnsName: 'x.example.test', recordType: 'HINFO', targets: ['a b'] }] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/record type HINFO of x\.example\.test is not supported/);
    expect(((await (await get('/records')).json()) as Endpoint[]).some((e) => e.dnsName === 'new.example.test')).toBe(false);
    expect((await post('/records', 'x'.repeat(2 * 1024 * 1024))).status).toBe(413);
    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`${server.healthAddress}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.healthAddress}/metrics`)).text()).toMatch(/certfleet_webhook_requests_total\{route="\/records",status="204"\}/);
  });
});

/** The zone's RRsets as PowerDNS itself holds them (not through the webhook, which hides the apex NS). */
async function zoneInPowerDns(zone: string): Promise<{ name: string; type: string; records: { content: string }[] }[]> {
  const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'x-api-key': pdns.apiKey } });
  return ((await res.json()) as { rrsets: { name: string; type: string; records: { content: string }[] }[] }).rrsets;
}
const rrset = async (name: string, type: string) => (await zoneInPowerDns('example.test')).find((r) => r.name === `${name}.` && r.type === type);

describe('ExternalDNS webhook: the zone apex and _acme-challenge names are never written (issue 13 item 11)', () => {
  it('an apex NS create, update or delete is refused per endpoint with a 5xx, the rest of the change set applied, counted', async () => {
    const before = await rrset('example.test', 'NS');
    expect(before?.records.map((r) => r.content)).toEqual(['ns1.example.test.']);
    const attacker = { dnsName: 'example.test', recordType: 'NS', targets: ['ns.attacker.invalid'], recordTTL: 300 };

    const created = await post('/records', { create: [attacker, { dnsName: 'kept.example.test', recordType: 'A', targets: ['192.0.2.77'], recordTTL: 300 }] });
    expect(created.status).toBe(500); // a soft error to ExternalDNS: logged and retried, not fatal
    expect(await created.text()).toMatch(/refused 1 endpoint \(the rest was applied\): example\.test NS: the zone's apex NS is never written/);
    expect((await rrset('kept.example.test', 'A'))?.records.map((r) => r.content)).toEqual(['192.0.2.77']);

    const current = { dnsName: 'example.test', recordType: 'NS', targets: ['ns1.example.test'], recordTTL: 3600 };
    expect((await post('/records', { updateOld: [current], updateNew: [attacker] })).status).toBe(500);
    expect((await post('/records', { delete: [current] })).status).toBe(500);
    expect((await post('/records', { Delete: [{ dnsName: 'Example.Test.', recordType: 'ns', targets: ['ns1.example.test'] }] })).status).toBe(500);
    expect(await rrset('example.test', 'NS')).toEqual(before);

    const soa = await rrset('example.test', 'SOA');
    const soaWrite = await post('/records', { create: [{ dnsName: 'example.test', recordType: 'SOA', targets: ['ns.attacker.invalid. h.attacker.invalid. 1 2 3 4 5'] }] });
    expect(soaWrite.status).toBe(500);
    expect(await soaWrite.text()).toMatch(/example\.test SOA: the zone's apex SOA is never written/);
    expect(await rrset('example.test', 'SOA')).toEqual(soa);

    const metrics = await (await fetch(`${server.healthAddress}/metrics`)).text();
    expect(metrics).toMatch(/certfleet_webhook_refused_total\{reason="zone_apex"\} 5/);
    expect(cap.records().some((r) => r.msg === 'endpoints_refused' && r.level === 'error')).toBe(true);
  });

  it('an NS below the apex (a delegation ExternalDNS may manage) is still written', async () => {
    expect((await post('/records', { create: [{ dnsName: 'sub.example.test', recordType: 'NS', targets: ['ns.sub.example.test'], recordTTL: 300 }] })).status).toBe(204);
    expect((await rrset('sub.example.test', 'NS'))?.records.map((r) => r.content)).toEqual(['ns.sub.example.test.']);
  });

  it('_acme-challenge names are refused (TXT, CNAME, NS) and not shown, unless allow_acme_challenge', async () => {
    const challenge = [
      { dnsName: '_acme-challenge.www.example.test', recordType: 'TXT', targets: ['"token-from-an-attacker"'], recordTTL: 60 },
      { dnsName: '_acme-challenge.example.test', recordType: 'CNAME', targets: ['x.attacker.invalid'], recordTTL: 60 },
      { dnsName: '_ACME-Challenge.api.example.test', recordType: 'NS', targets: ['ns.attacker.invalid'], recordTTL: 60 },
    ];
    const res = await post('/records', { create: challenge });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/refused 3 endpoints.*_acme-challenge names are not written unless webhook\.allow_acme_challenge is true/);
    expect((await zoneInPowerDns('example.test')).filter((r) => r.name.startsWith('_acme-challenge'))).toEqual([]);

    const backend = new PowerDnsProvider({ id: 'home', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });
    const allowing = await startWebhookServer(new WebhookService(backend, { include: ['example.test'], exclude: [] }, 300, cap.log, { allowAcmeChallenge: true }), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 1000 }, cap.log);
    try {
      const ok = await fetch(`${allowing.address}/records`, { method: 'POST', headers: { 'content-type': WEBHOOK_MEDIA_TYPE }, body: JSON.stringify({ create: [challenge[0]] }) });
      expect(ok.status).toBe(204);
      expect((await rrset('_acme-challenge.www.example.test', 'TXT'))?.records.map((r) => r.content)).toEqual(['"token-from-an-attacker"']);
      expect(((await (await fetch(`${allowing.address}/records`)).json()) as Endpoint[]).some((e) => e.dnsName === '_acme-challenge.www.example.test')).toBe(true);
      // The default webhook does not show what it would refuse to change.
      expect(((await (await get('/records')).json()) as Endpoint[]).some((e) => e.dnsName?.startsWith('_acme-challenge'))).toBe(false);
      expect((await post('/records', { delete: [challenge[0]] })).status).toBe(500);
      expect(await rrset('_acme-challenge.www.example.test', 'TXT')).toBeDefined();
    } finally {
      await allowing.close();
    }
  });

  it('a TTL of 1e15 is a 400 naming the field, and nothing is applied', async () => {
    const res = await post('/records', { create: [{ dnsName: 'ok.example.test', recordType: 'A', targets: ['192.0.2.8'] }, { dnsName: 'ttl.example.test', recordType: 'A', targets: ['192.0.2.9'], recordTTL: 1e15 }] });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('create[1].recordTTL: expected a whole number of seconds from 1 to 2147483647 (or 0 for the default), got 1000000000000000');
    expect(await rrset('ok.example.test', 'A')).toBeUndefined();
    expect(await rrset('ttl.example.test', 'A')).toBeUndefined();
  });
});

describe('ExternalDNS webhook: upstream failures are 5xx (ExternalDNS retries), never 4xx', () => {
  it('a provider that is down gives 502; a slow one 504; the process keeps serving', async () => {
    let mode: 'down' | 'slow' | 'ok' = 'down';
    const { CertfleetError } = await import('../src/errors.js');
    const backend: RecordBackend = {
      id: 'fake',
      listZones: (signal) => (mode === 'ok' ? Promise.resolve(['example.test'])
        : mode === 'slow' ? new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)))
        : Promise.reject(new CertfleetError('DNS_PROVIDER', 'PowerDNS provider home: API unreachable'))),
      getRecords: () => Promise.resolve([]),
      setRecords: (_zone, records) => Promise.resolve(records),
    };
    const s = await startWebhookServer(new WebhookService(backend, { include: [] }, 300, cap.log), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', requestTimeoutMs: 300 }, cap.log);
    try {
      const down = await fetch(`${s.address}/records`);
      expect(down.status).toBe(502);
      expect(await down.text()).toMatch(/DNS provider error: PowerDNS provider home: API unreachable/);
      mode = 'slow';
      expect((await fetch(`${s.address}/records`)).status).toBe(504);
      mode = 'ok';
      expect((await fetch(`${s.address}/records`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('rate limiting answers 503 with Retry-After, not a 4xx', async () => {
    const backend: RecordBackend = { id: 'fake', listZones: () => Promise.resolve([]), getRecords: () => Promise.resolve([]), setRecords: (_zone, records) => Promise.resolve(records) };
    const s = await startWebhookServer(new WebhookService(backend, { include: [] }, 300, cap.log), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 2 }, cap.log);
    try {
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await fetch(`${s.address}/records`)).status);
      expect(statuses).toContain(503);
      expect(statuses.filter((x) => x >= 400 && x < 500)).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

/** `certfleet webhook` on a config whose `webhook:` section is `webhook`, until it logs webhook_listening or exits. */
async function runWebhookCommand(webhook: string, files: Record<string, string> = {}, top = '') {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { registerOutput } = await import('./support/secret-scan.js');
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-webhook-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content, { mode: 0o600 });
  const file = path.join(dir, 'c.yaml');
  await writeFile(file, `${top}acme: { directory: https://ca.test/dir }\ndns:\n  providers:\n    home: { type: powerdns, api_url: "${pdns.apiUrl}", api_key: "\${CERTFLEET_TEST_KEY}" }\nwebhook:\n  provider: home\n  domain_filter: { include: [example.test] }\n${webhook}`);
  const child = spawn(path.resolve(import.meta.dirname, '../bin/certfleet'), ['webhook', '--config', file, '--log-format', 'json'], { env: { ...process.env, CERTFLEET_TEST_KEY: pdns.apiKey }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  registerOutput(lines);
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const listening = new Promise<{ address: string; healthAddress: string } | undefined>((resolve) => {
    child.stderr.on('data', (b: Buffer) => {
      for (const l of b.toString().split('\n').filter(Boolean)) {
        lines.push(l);
        if (!l.startsWith('{')) continue;
        const r = JSON.parse(l) as { msg: string; address: string; health_address: string };
        if (r.msg === 'webhook_listening') resolve({ address: r.address, healthAddress: r.health_address });
      }
    });
    void exited.then(() => resolve(undefined));
  });
  return {
    lines, exited, listening: await listening,
    stop: async () => {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
    term: () => child.kill('SIGTERM'),
  };
}

describe('certfleet webhook (the command)', () => {
  it('production mode refuses a non-loopback listen without a token, and does not object to a loopback one (issue 13 item 17)', async () => {
    const open = await runWebhookCommand('  listen: 0.0.0.0:0\n  health_listen: 127.0.0.1:0\n', {}, 'mode: production\n');
    try {
      expect(open.listening).toBeUndefined();
      expect(await open.exited).toBe(2);
      expect(open.lines.join('\n')).toMatch(/refusing to start in production mode[\s\S]*webhook\.listen 0\.0\.0\.0:0 is not a loopback address and webhook\.token is not set/);
    } finally {
      await open.stop();
    }
    const loopback = await runWebhookCommand('  listen: 127.0.0.1:0\n  health_listen: 127.0.0.1:0\n', {}, 'mode: production\n');
    try {
      // Refused too (this config has other production problems), but not for the webhook's listen.
      expect(await loopback.exited).toBe(2);
      expect(loopback.lines.join('\n')).not.toMatch(/webhook\.listen/);
    } finally {
      await loopback.stop();
    }
  });

  it('token_file: requests without the token are 401, with it served; the token is in no log line', async () => {
    const token = 'wh-cmd-token-3f9a1c7e5b2d4086a1f3c5e7b9d0a2c4';
    const w = await runWebhookCommand('  listen: 127.0.0.1:0\n  health_listen: 127.0.0.1:0\n  token_file: token\n', { token: `${token}\n` });
    try {
      const { address } = w.listening!;
      expect((await fetch(`${address}/records`)).status).toBe(401);
      expect((await fetch(`${address}/records`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      w.term();
      expect(await w.exited).toBe(0);
      expect(w.lines.length).toBeGreaterThan(2);
      expect(w.lines.some((l) => l.includes(token))).toBe(false);
    } finally {
      await w.stop();
    }
  });

  it('serves the protocol from the config, health on the second address, stops on SIGTERM with exit 0', async () => {
    const w = await runWebhookCommand('  listen: 127.0.0.1:0\n  health_listen: 127.0.0.1:0\n');
    try {
      const { address, healthAddress } = w.listening!;
      expect((await fetch(`${address}/`, { headers: { accept: WEBHOOK_MEDIA_TYPE } })).headers.get('content-type')).toBe(WEBHOOK_MEDIA_TYPE);
      expect((await fetch(`${address}/records`)).status).toBe(200);
      expect((await fetch(`${healthAddress}/healthz`)).status).toBe(200);
      w.term();
      expect(await w.exited).toBe(0);
    } finally {
      await w.stop();
    }
  });
});

describe('the Kubernetes example (deploy/kubernetes/external-dns-certfleet.yaml)', () => {
  it('its config parses, probes reach the health port, and production mode has nothing to say about the webhook', async () => {
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { parseAllDocuments } = await import('yaml');
    const { parseConfig } = await import('../src/config/load-config.js');
    const { securityFindings } = await import('../src/daemon/security-findings.js');
    const docs = parseAllDocuments(await readFile(path.resolve(import.meta.dirname, '../deploy/kubernetes/external-dns-certfleet.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    const configMap = docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> };
    const config = parseConfig(configMap.data['certfleet.yaml']!, '/etc/certfleet/certfleet.yaml', { readSecretFile: () => 'k'.repeat(40) });
    expect(config.webhook!.listen).toBe('127.0.0.1:8888');
    expect(config.webhook!.health_listen).toBe('0.0.0.0:8080');
    expect(JSON.stringify(docs)).toContain('"containerPort":8080');
    expect(JSON.stringify(docs)).toContain('--webhook-provider-url=http://127.0.0.1:8888');
    const findings = await securityFindings({ ...config, mode: 'production' }, { env: {}, uid: 1000 });
    expect(findings.filter((f) => f.problem.startsWith('webhook'))).toEqual([]);
  });
});
