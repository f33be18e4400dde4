import { CertfleetError } from '../../errors.js';
import { MIGRATION_0001 } from './migrations/0001-initial.js';
import type { PgDatabase } from './pg-database.js';

/** Every schema version this build knows, in order; the last is the one it runs on. */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  { version: 1, sql: MIGRATION_0001 },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** The advisory lock every starting daemon takes to migrate: one at a time, the others wait and find it done. */
const MIGRATION_LOCK = 0x63667374; // "cfst"

/**
 * Brings the database to SCHEMA_VERSION, each migration in its own transaction, under a
 * session advisory lock: two daemons starting together on an empty database both come up (the
 * second waits, then finds nothing to do). A database whose schema is newer than this build is
 * refused and left unchanged. Returns the version the database was at.
 */
export async function migrate(db: PgDatabase, signal: AbortSignal): Promise<number> {
  return db.transaction('migrate the store schema', signal, async (q) => {
    await q('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await q('CREATE TABLE IF NOT EXISTS certfleet_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const found = Number((await q<{ v: number | null }>('SELECT max(version) AS v FROM certfleet_schema')).rows[0]?.v ?? 0);
      if (found > SCHEMA_VERSION) {
        throw new CertfleetError('STORE_SCHEMA', `the PostgreSQL store at ${db.target.where} (database ${db.target.database}) has schema version ${found}, newer than version ${SCHEMA_VERSION} this certfleet knows: upgrade certfleet on this host; nothing was changed`);
      }
      for (const m of MIGRATIONS) {
        if (m.version <= found) continue;
        await q('BEGIN');
        try {
          await q(m.sql);
          await q('INSERT INTO certfleet_schema (version) VALUES ($1)', [m.version]);
          await q('COMMIT');
        } catch (err) {
          await q('ROLLBACK');
          throw err;
        }
      }
      return found;
    } finally {
      await q('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  }, { tx: false, raw: true });
}
