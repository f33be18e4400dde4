import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { fleetConfig, servedCert, startFleetDaemon, startFleetHost, until, type FleetHost } from '../support/fleet-daemons.js';
import { sqlRows as query, useFleetStack } from './support/fleet-stack.js';
import { liveProblems } from './support/live-check.js';
import { zoneTxt } from './support/zone-txt.js';

/**
 * Fleet mode's faults (issue 15) with three `bin/certfleet run` daemons on one PostgreSQL:
 * the database stopped mid-run, and lease holders SIGKILLed at random points.
 */
const FULL = Boolean(process.env.CHAOS_FULL);
const OUTAGE_MS = FULL ? 10_000 : 4_000;
const KILLS = FULL ? 20 : 3;
const PER_ROUND = FULL ? 15 : 5;
const LEASE = '  lease_ttl: 3s\n';

const env = useFleetStack();

async function readyz(h: FleetHost): Promise<Record<string, boolean> | undefined> {
  try {
    return ((await (await fetch(`${h.base}/readyz`, { signal: AbortSignal.timeout(5_000) })).json()) as { checks: Record<string, boolean> }).checks;
  } catch {
    return undefined;
  }
}

async function servedEverywhere(hosts: FleetHost[], names: string[]): Promise<boolean> {
  for (const n of names) {
    const s = await Promise.all(hosts.map((h) => servedCert(h.path, n)));
    if (s.some((c) => c === undefined || c !== s[0])) return false;
  }
  return true;
}


describe('fleet faults', () => {
  it(`PostgreSQL stopped for ${OUTAGE_MS / 1000} s mid-run: /readyz reports the database, files keep serving, everything completes`, async () => {
    const url = await env.server.createDatabase();
    const first = Array.from({ length: 6 }, (_, i) => `o${i}`);
    const hosts = await Promise.all(['p1', 'p2', 'p3'].map((id) => startFleetHost(env.stack, url, `${id}`, first, LEASE)));
    try {
      await until('the first certificates everywhere', () => servedEverywhere(hosts, first), 60_000);
      // More work, then the outage in the middle of it.
      const more = [...first, ...Array.from({ length: 12 }, (_, i) => `o${i + 6}`)];
      for (const h of hosts) await fleetConfig(env.stack, url, h.id, more, LEASE);
      await hosts[0]!.daemon.waitFor((r) => r.msg === 'obtaining' && typeof r.cert === 'string' && Number(r.cert.slice(1)) >= 6);
      await env.server.stop();
      let seen: unknown[] = [];
      await until('every /readyz to fail its database check', async () => {
        seen = await Promise.all(hosts.map(readyz));
        return seen.every((c) => (c as Record<string, boolean> | undefined)?.database === false);
      }, 15_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}: ${JSON.stringify(seen)}\n${hosts.map((h) => h.daemon.lines.filter((l) => !l.startsWith('{')).join('\n')).join('\n----\n')}`);
      });
      for (const h of hosts) expect(await servedCert(h.path, 'o0')).toBeDefined();
      await sleep(OUTAGE_MS);
      await env.server.start();
      await until('every /readyz ready again', async () => (await Promise.all(hosts.map(readyz))).every((c) => c?.database === true), 30_000);
      await until('every certificate on every host', () => servedEverywhere(hosts, more), 120_000);
      for (const h of hosts) expect(await liveProblems(h.path)).toEqual([]);
      for (const h of hosts) expect(h.daemon.records.some((r) => r.msg === 'fleet_disconnected')).toBe(true);
    } finally {
      await Promise.all(hosts.map((h) => h.daemon.stop()));
    }
  }, 180_000);

  it(`lease holders SIGKILLed at random points, ${KILLS} times: no double issuance, no torn file, no orphaned TXT value`, async () => {
    const url = await env.server.createDatabase();
    let names = ['seed'];
    const hosts = await Promise.all(['k1', 'k2', 'k3'].map((id) => startFleetHost(env.stack, url, id, names, LEASE)));
    let killed = 0;
    try {
      for (let round = 0; round < KILLS; round++) {
        names = [...names, ...Array.from({ length: PER_ROUND }, (_, i) => `r${round}x${i}`)];
        for (const h of hosts) await fleetConfig(env.stack, url, h.id, names, LEASE);
        // A random point of the round's issuances: then whoever holds a lease dies.
        await sleep(200 + Math.random() * 2_500);
        const holders = await query<{ holder: string }>(url, 'SELECT holder FROM leases WHERE expires_at > now()');
        const pid = Number(holders.map((h) => h.holder.split('/').at(-1))[0]);
        const victim = hosts.find((h) => h.daemon.child.pid === pid) ?? hosts[round % hosts.length]!;
        await victim.daemon.stop('SIGKILL');
        killed++;
        Object.assign(victim, await startFleetDaemon(victim.config));
        await until(`round ${round}: every certificate on every host`, () => servedEverywhere(hosts, names), 120_000);
      }
      const versions = await query<{ name: string; version: number }>(url, 'SELECT name, version FROM certificates WHERE version <> 1');
      expect(versions, 'certificates issued more than once').toEqual([]);
      expect((await query<{ n: string }>(url, 'SELECT count(*) AS n FROM certificates'))[0]!.n).toBe(String(names.length));
      for (const h of hosts) expect(await liveProblems(h.path), h.id).toEqual([]);
      // The dead holders' TXT values are removed by the next holder (they are recorded under the lease).
      await until('no TXT value left in the zone', async () => (await zoneTxt(env.stack.pdns, 'example.test')).length === 0, 30_000);
      expect(killed).toBe(KILLS);
    } finally {
      await Promise.all(hosts.map((h) => h.daemon.stop()));
    }
  }, FULL ? 1_800_000 : 180_000);
});
