import type { ManagedCertificate, ManagedCertificateStore } from '../managed-certificates.js';
import type { PgDatabase } from './pg-database.js';

/** The NOTIFY channel of managed-certificate changes: payload the certificate's name. */
export const MANAGED_CHANNEL = 'certfleet_managed';

interface ManagedRow {
  name: string;
  spec: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const toManaged = (r: ManagedRow): ManagedCertificate => ({ name: r.name, spec: r.spec, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() });

/**
 * Certificates added as data, in `managed_certificates`. A put or delete that changes something
 * NOTIFYs in its transaction, so every daemon's FleetEvents.managedChanged fires at commit.
 */
export class PgManagedCertificates implements ManagedCertificateStore {
  constructor(private readonly db: PgDatabase) {}

  async listManaged(signal: AbortSignal): Promise<ManagedCertificate[]> {
    return (await this.db.query<ManagedRow>('list managed certificates', 'SELECT name, spec, created_at, updated_at FROM managed_certificates ORDER BY name', [], signal)).rows.map(toManaged);
  }

  async getManaged(name: string, signal: AbortSignal): Promise<ManagedCertificate | undefined> {
    const row = (await this.db.query<ManagedRow>('read a managed certificate', 'SELECT name, spec, created_at, updated_at FROM managed_certificates WHERE name = $1', [name], signal)).rows[0];
    return row ? toManaged(row) : undefined;
  }

  /** jsonb equality decides 'unchanged' (key order and spacing do not count). */
  async putManaged(name: string, spec: Record<string, unknown>, signal: AbortSignal): Promise<'created' | 'replaced' | 'unchanged'> {
    return this.db.transaction(`store managed certificate ${name}`, signal, async (q) => {
      const row = (await q<{ created: boolean }>(`INSERT INTO managed_certificates (name, spec) VALUES ($1, $2)
        ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = now() WHERE managed_certificates.spec IS DISTINCT FROM excluded.spec
        RETURNING (xmax = 0) AS created`, [name, JSON.stringify(spec)])).rows[0];
      if (!row) return 'unchanged';
      await q('SELECT pg_notify($1, $2)', [MANAGED_CHANNEL, name]);
      return row.created ? 'created' : 'replaced';
    });
  }

  async deleteManaged(name: string, signal: AbortSignal): Promise<boolean> {
    return this.db.transaction(`delete managed certificate ${name}`, signal, async (q) => {
      const r = await q('DELETE FROM managed_certificates WHERE name = $1', [name]);
      if (r.rowCount === 0) return false;
      await q('SELECT pg_notify($1, $2)', [MANAGED_CHANNEL, name]);
      return true;
    });
  }
}
