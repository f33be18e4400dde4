import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import type { CertificateVersion, FleetEvents, FleetStatus, FleetStore } from '../fleet-store.js';
import { connectError } from './pg-connection.js';
import type { PgDatabase } from './pg-database.js';
import { MANAGED_CHANNEL } from './pg-managed.js';
import { SAVED_CHANNEL } from './pg-store.js';

export interface PgFleetOptions {
  db: PgDatabase;
  host: string;
  /** Reconnect backoff of the LISTEN connection: from `minMs`, doubling to `maxMs`. */
  reconnect?: { minMs: number; maxMs: number };
}

/**
 * FleetStore on PostgreSQL: saves and managed-certificate changes reach every daemon by
 * LISTEN/NOTIFY on a connection of its own (an idle daemon only waits on it: no polling), and
 * hosts record what they delivered, so a host that missed notifications catches up in one query.
 */
export class PgFleet implements FleetStore {
  readonly host: string;
  private readonly db: PgDatabase;
  private readonly reconnect: { minMs: number; maxMs: number };

  constructor(opts: PgFleetOptions) {
    this.db = opts.db;
    this.host = opts.host;
    this.reconnect = opts.reconnect ?? { minMs: 250, maxMs: 5_000 };
  }

  /**
   * Listens until `signal` fires. A lost connection is reported (connection(false)) and retried
   * with backoff and jitter; each new one is reported (connection(true)) once it LISTENs again.
   */
  async watch(events: FleetEvents, signal: AbortSignal): Promise<void> {
    await this.db.ready(signal);
    const first = await this.listen(events);
    const run = async (client: pg.Client) => {
      for (;;) {
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          client.once('end', done);
          signal.addEventListener('abort', () => { void client.end().catch(() => undefined); done(); }, { once: true });
        });
        if (signal.aborted) return;
        events.connection(false);
        for (let wait = this.reconnect.minMs; ; wait = Math.min(wait * 2, this.reconnect.maxMs)) {
          try {
            await delay(wait / 2 + Math.random() * (wait / 2), undefined, { signal });
          } catch {
            return;
          }
          try {
            client = await this.listen(events);
            break;
          } catch {
            // Still down: the next attempt waits longer.
          }
        }
        if (signal.aborted) {
          await client.end().catch(() => undefined);
          return;
        }
      }
    };
    void run(first);
  }

  /** A connected client LISTENing on both channels, connection(true) sent. */
  private async listen(events: FleetEvents): Promise<pg.Client> {
    const client = this.db.newClient();
    try {
      await client.connect();
      client.on('notification', (n) => this.dispatch(n, events));
      await client.query(`LISTEN ${SAVED_CHANNEL}`);
      await client.query(`LISTEN ${MANAGED_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw connectError(err, this.db.target);
    }
    events.connection(true);
    return client;
  }

  private dispatch(n: pg.Notification, events: FleetEvents): void {
    if (n.channel === MANAGED_CHANNEL && n.payload) return events.managedChanged(n.payload);
    if (n.channel !== SAVED_CHANNEL || !n.payload) return;
    try {
      const change = JSON.parse(n.payload) as CertificateVersion;
      if (typeof change.name === 'string' && typeof change.version === 'number') events.saved(change);
    } catch {
      // Not ours (someone NOTIFYed by hand): ignored.
    }
  }

  async undelivered(signal: AbortSignal): Promise<CertificateVersion[]> {
    const r = await this.db.query<CertificateVersion>('find undelivered certificates', `SELECT c.name, c.version FROM certificates c
      LEFT JOIN deliveries d ON d.host = $1 AND d.name = c.name
      WHERE d.version IS DISTINCT FROM c.version ORDER BY c.name`, [this.host], signal);
    return r.rows;
  }

  async markDelivered(change: CertificateVersion, signal: AbortSignal): Promise<void> {
    await this.db.query('record a delivery', `INSERT INTO deliveries (host, name, version) VALUES ($1, $2, $3)
      ON CONFLICT (host, name) DO UPDATE SET version = excluded.version, at = now()`, [this.host, change.name, change.version], signal);
  }

  async heartbeat(signal: AbortSignal): Promise<void> {
    await this.db.query('record a host heartbeat', 'INSERT INTO hosts (id, last_seen) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET last_seen = now()', [this.host], signal);
  }

  /** One transaction, so hosts, versions and leases are of the same instant. */
  async status(signal: AbortSignal): Promise<FleetStatus> {
    return this.db.transaction('read the fleet status', signal, async (q) => {
      await q('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const now = (await q<{ now: Date }>('SELECT now() AS now')).rows[0]!.now.toISOString();
      const hosts = (await q<{ id: string; last_seen: Date; delivered: Record<string, number> | null }>(`SELECT h.id, h.last_seen,
          (SELECT jsonb_object_agg(d.name, d.version) FROM deliveries d WHERE d.host = h.id) AS delivered
        FROM hosts h ORDER BY h.id`)).rows;
      const current = (await q<CertificateVersion>('SELECT name, version FROM certificates ORDER BY name')).rows;
      const leases = (await q<{ name: string; holder: string; token: string; expires_at: Date }>('SELECT name, holder, token, expires_at FROM leases WHERE expires_at > now() ORDER BY name')).rows;
      return {
        now,
        hosts: hosts.map((h) => ({ id: h.id, lastSeen: h.last_seen.toISOString(), delivered: h.delivered ?? {} })),
        current,
        leases: leases.map((l) => ({ name: l.name, holder: l.holder, token: String(l.token), expiresAt: l.expires_at.toISOString() })),
      };
    });
  }
}
