import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetConfig, fleetStatus, issuances, servedCert, startFleetDaemon, startFleetHost, until, type FleetHost } from './support/fleet-daemons.js';
import { freePort } from './support/free-port.js';
import { startLocalStack, type LocalStack } from './support/local-stack.js';
import { startPostgres, type PostgresServer } from './support/postgres-server.js';
import { runCertfleet } from './support/run-certfleet.js';

/**
 * Fleet mode end to end (issue 15): three `bin/certfleet run` daemons, each with its own
 * store.path and store.host, on one PostgreSQL, against pebble and PowerDNS.
 */
const N = 30;
const names = Array.from({ length: N }, (_, i) => `f${i}`);
let stack: LocalStack;
let pg: PostgresServer;
let url: string;
const hosts: FleetHost[] = [];

beforeAll(async () => {
  [stack, pg] = await Promise.all([startLocalStack(['example.test']), startPostgres()]);
  url = await pg.createDatabase();
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.daemon.stop()));
  await stack?.stop();
  await pg?.destroy();
});

/** Every host serves the same certificate for every name, and it is `version` of it. */
async function sameEverywhere(only = names): Promise<boolean> {
  for (const n of only) {
    const served = await Promise.all(hosts.map((h) => servedCert(h.path, n)));
    if (served.some((s) => s === undefined || s !== served[0])) return false;
  }
  return true;
}

describe('fleet: three daemons on one database', () => {
  it(`${N} certificates: exactly ${N} orders across the fleet, all ${N} in every host's live/, fleet status shows all three`, async () => {
    // Started together on an empty database: the migrations run once, under their advisory lock.
    hosts.push(...await Promise.all(['h1', 'h2', 'h3'].map((id) => startFleetHost(stack, url, id, names))));
    await until('every certificate on every host', () => sameEverywhere(), 120_000);
    const orders = await Promise.all(hosts.map((h) => issuances(h.base)));
    expect(orders.reduce((a, b) => a + b, 0)).toBe(N);
    // Work was shared: the lease let more than one host issue (each claims, none waits).
    expect(orders.filter((o) => o > 0).length).toBeGreaterThan(1);
    await until('every host delivered everything', async () => {
      const s = await fleetStatus(hosts[0]!.config);
      return s.hosts.length === 3 && s.hosts.every((h) => h.delivered === N && h.behind.length === 0);
    }, 30_000);
    const ready = await (await fetch(`${hosts[1]!.base}/readyz`)).json() as { checks: Record<string, boolean> };
    expect(ready.checks).toMatchObject({ database: true, store: true });
    const metrics = await (await fetch(`${hosts[2]!.base}/metrics`)).text();
    expect(metrics).toMatch(/^certfleet_fleet_connected\{host="h3"\} 1$/m);
    expect(metrics).toMatch(/^certfleet_fleet_behind\{host="h3"\} 0$/m);
  });

  it('a forced renewal (certfleet issue --force on another machine) reaches every host', async () => {
    const before = await servedCert(hosts[0]!.path, 'f7');
    const { file } = await fleetConfig(stack, url, 'ops', names);
    const r = await runCertfleet(['issue', '--config', file, '--cert', 'f7', '--force']);
    expect(r.code, r.stderr).toBe(0);
    await until('the new f7 on every host', async () => (await servedCert(hosts[0]!.path, 'f7')) !== before && await sameEverywhere(['f7']), 30_000);
    const text = await runCertfleet(['fleet', 'status', '--config', hosts[0]!.config]);
    expect(text.stdout).toMatch(/^h1\s/m);
    expect(text.stdout).toMatch(/^h2\s/m);
    expect(text.stdout).toMatch(/^h3\s/m);
  });

  it('a certificate added through the management API on one fleet daemon is issued once and reaches every host; removed, it is gone from the shared store (so from every schedule) and its files stay', async () => {
    const token = 'fleet-api-token-for-the-test-9b1e';
    await writeFile(path.join(stack.dir, 'api-token'), `${token}\n`);
    const { file, path: store } = await fleetConfig(stack, url, 'h4', names);
    const port = await freePort();
    const text = (await readFile(file, 'utf8')).replace('server:\n  listen: 127.0.0.1:0\n', `server:\n  listen: 127.0.0.1:0\n  api: { listen: "127.0.0.1:${port}", token_file: api-token }\n`);
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
    const withApi: FleetHost = { id: 'h4', config: file, path: store, ...await startFleetDaemon(file) };
    hosts.push(withApi);
    const api = String((await withApi.daemon.waitFor(withApi.daemon.msg('api_listening'))).address);
    const call = (route: string, init: RequestInit = {}) => fetch(`${api}${route}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const before = (await Promise.all(hosts.map((h) => issuances(h.base)))).reduce((a, b) => a + b, 0);
    const created = await call('/v1/certificates', { method: 'POST', body: JSON.stringify({ domains: ['api.example.test'], dns: 'home' }) });
    expect(created.status).toBe(201);
    const name = 'api.example.test';
    await until('the API certificate on every host', async () => {
      const served = await Promise.all(hosts.map((h) => servedCert(h.path, name)));
      return served.every((c) => c !== undefined && c === served[0]);
    }, 60_000);
    let orders = 0;
    await until('its order counted', async () => {
      orders = (await Promise.all(hosts.map((h) => issuances(h.base)))).reduce((a, b) => a + b, 0) - before;
      return orders >= 1;
    }, 10_000);
    expect(orders, 'orders across the fleet for the API certificate').toBe(1);
    const { file: ops } = await fleetConfig(stack, url, 'ops', names);
    // Another machine's `certfleet list` reads the shared store: the API's certificate is there.
    const listed = async () => {
      const r = await runCertfleet(['list', '--config', ops, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { name: string }[];
    };
    expect((await listed()).map((c) => c.name)).toContain(name);

    expect((await call(`/v1/certificates/${name}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/certificates/${name}`)).status).toBe(404);
    // Gone from the shared store, so from every host's schedule; its files stay (revoke_removed is off).
    expect((await listed()).map((c) => c.name)).not.toContain(name);
    for (const h of hosts) expect(await servedCert(h.path, name), h.id).toBeDefined();
  });
});
