import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DaemonProcess } from '../support/daemon-process.js';
import { fleetConfig, issuances, servedCert, startFleetHost, until, type FleetHost } from '../support/fleet-daemons.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { sqlRows as query, useFleetStack } from './support/fleet-stack.js';
import { liveProblems } from './support/live-check.js';
import { zoneTxt } from './support/zone-txt.js';

/**
 * Fleet mode's network faults (issue 15) with real `bin/certfleet run` daemons on one PostgreSQL:
 * one daemon cut off from the database mid-issuance (a TCP proxy), and two daemons whose host
 * clocks are 5 minutes apart (libfaketime on one).
 */
const FULL = Boolean(process.env.CHAOS_FULL);
const LEASE = '  lease_ttl: 3s\n';
const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

const env = useFleetStack();


/** The database of a socket URL, as its owner over TCP through `proxy` (trusted on loopback). */
const viaProxy = (url: string, proxy: TcpProxy) => `postgres://postgres@127.0.0.1:${proxy.port}/${/@\/([^/?]+)/.exec(url)![1]}`;

describe('fleet network faults', () => {
  it('a daemon cut off from the database mid-issuance stops writing, loses its lease, another completes the certificate, its late write is refused', async () => {
    const url = await env.server.createDatabase();
    const proxy = await startTcpProxy({ host: env.server.host, port: env.server.port });
    const names = ['cut'];
    // The victim starts alone, so it is the one that claims the certificate.
    const victim = await startFleetHost(env.stack, viaProxy(url, proxy), 'c1', names, LEASE);
    let other: FleetHost | undefined;
    try {
      await victim.daemon.waitFor(victim.daemon.msg('obtaining', { cert: 'cut' }), 60_000);
      // A partition, not a reset: packets are dropped, the victim learns only from its deadlines.
      await proxy.cut('blackhole');
      const cutAt = Date.now();
      other = await startFleetHost(env.stack, url, 'c2', names, LEASE);
      await until('the other daemon saved the certificate', async () => (await query(url, `SELECT 1 FROM certificates WHERE name = 'cut'`)).length === 1, 60_000);
      // The partition ends: what the victim still had under way reaches the server now.
      await new Promise((r) => setTimeout(r, Math.max(0, 6_000 - (Date.now() - cutAt))));
      await proxy.restore();
      // It had given the lease up (its issuance aborted); its late write under that lease is
      // refused by fencing; then it catches up with the other's version.
      const lost = await victim.daemon.waitFor((r) => r.cert === 'cut' && /lock of cut was lost/.test(String(r.error)), 30_000);
      expect(lost.msg).toBe('failed');
      await victim.daemon.waitFor((r) => r.cert === 'cut' && /refused: the lease/.test(String(r.error)), 30_000);
      await until('the same certificate on both hosts', async () => {
        const [a, b] = await Promise.all([servedCert(victim.path, 'cut'), servedCert(other!.path, 'cut')]);
        return a !== undefined && a === b;
      }, 60_000);
      const rows = await query<{ version: number; saved_by: string }>(url, `SELECT version, saved_by FROM certificates WHERE name = 'cut'`);
      expect(rows, 'exactly one version, saved by the daemon that held the lease').toEqual([{ version: 1, saved_by: 'c2' }]);
      expect(await issuances(victim.base)).toBe(0);
      for (const h of [victim, other]) expect(await liveProblems(h.path), h.id).toEqual([]);
      await until('no TXT value left in the zone', async () => (await zoneTxt(env.stack.pdns, 'example.test')).length === 0, 30_000);
    } finally {
      await Promise.all([victim.daemon.stop(), other?.daemon.stop()]);
      await proxy.close();
    }
  }, 180_000);

  it.skipIf(!existsSync(FAKETIME))('two daemons whose clocks are 5 minutes apart share leases on the database\'s clock: each certificate issued once', async () => {
    const url = await env.server.createDatabase();
    const names = Array.from({ length: FULL ? 60 : 12 }, (_, i) => `s${i}`);
    const ahead = await fleetConfig(env.stack, url, 'skewed', names, LEASE);
    // Started together, so both claim.
    const daemon = DaemonProcess.start(ahead.file, { LD_PRELOAD: FAKETIME, FAKETIME: '+5m' });
    const [listening, plain] = await Promise.all([daemon.waitFor(daemon.msg('http_listening')), startFleetHost(env.stack, url, 'plain', names, LEASE)]);
    const skewed: FleetHost = { id: 'skewed', config: ahead.file, path: ahead.path, daemon, base: String(listening.address) };
    try {
      // The preload took: its own log's clock runs 5 minutes ahead of this one.
      const offset = Date.parse(String(listening.time)) - Date.now();
      expect(offset).toBeGreaterThan(4 * 60_000);
      let leaseSeen = false;
      await until('every certificate on both hosts', async () => {
        // No lease expires further than its TTL from the database's now, whichever host took it.
        const far = await query<{ name: string }>(url, `SELECT name FROM leases WHERE expires_at > now() + interval '4 seconds' OR expires_at < now() - interval '1 hour'`);
        expect(far).toEqual([]);
        leaseSeen ||= (await query(url, 'SELECT 1 FROM leases')).length > 0;
        for (const n of names) {
          const [a, b] = await Promise.all([servedCert(skewed.path, n), servedCert(plain.path, n)]);
          if (a === undefined || a !== b) return false;
        }
        return true;
      }, 120_000);
      expect(leaseSeen).toBe(true);
      // A delivery can land here before the issuing host has counted its order: wait for the count.
      let orders: number[] = [];
      await until('every order counted', async () => {
        orders = [await issuances(skewed.base), await issuances(plain.base)];
        return orders[0]! + orders[1]! >= names.length;
      }, 10_000).catch(() => undefined);
      expect(orders[0]! + orders[1]!, `orders by host: ${orders.join(', ')}`).toBe(names.length);
      // Both took part: the skewed host's leases were not taken for expired by the other, nor the reverse.
      expect(orders.every((o) => o > 0), `orders by host: ${orders.join(', ')}`).toBe(true);
      expect(await query(url, 'SELECT name FROM certificates WHERE version <> 1')).toEqual([]);
    } finally {
      await Promise.all([skewed.daemon.stop(), plain.daemon.stop()]);
    }
  }, 180_000);
});
