import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { openPool } from './pg-connection.js';
import { PgDatabase } from './pg-database.js';
import { migrate, SCHEMA_VERSION } from './pg-migrations.js';

let server: PostgresServer;
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });
const S = () => AbortSignal.timeout(20_000);
const open = (url: string) => new PgDatabase(openPool(url), url);

describe('migrations', () => {
  it('a fresh database is brought to the schema version; a second run finds nothing to do', async () => {
    const db = open(await server.createDatabase());
    try {
      expect(await migrate(db, S())).toBe(0);
      expect(await migrate(db, S())).toBe(SCHEMA_VERSION);
      const tables = (await db.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map((r) => r.t);
      expect(tables).toEqual(expect.arrayContaining(['accounts', 'certificate_states', 'certificates', 'certfleet_schema', 'deliveries', 'events', 'hosts', 'leases', 'managed_certificates']));
    } finally {
      await db.end();
    }
  });

  it('daemons starting together on an empty database all come up (the advisory lock serialises them)', async () => {
    const url = await server.createDatabase();
    const dbs = Array.from({ length: 4 }, () => open(url));
    try {
      const found = await Promise.all(dbs.map((db) => migrate(db, S())));
      expect(found.filter((v) => v === 0)).toHaveLength(1);
      expect((await dbs[0]!.pool.query('SELECT version FROM certfleet_schema')).rows).toEqual([{ version: SCHEMA_VERSION }]);
    } finally {
      await Promise.all(dbs.map((db) => db.end()));
    }
  });

  it('a database of a newer schema is refused naming both versions, and left unchanged', async () => {
    const db = open(await server.createDatabase());
    try {
      await migrate(db, S());
      await db.pool.query('INSERT INTO certfleet_schema (version) VALUES ($1)', [SCHEMA_VERSION + 41]);
      const err = await migrate(db, S()).catch((e: unknown) => e as { code: string; message: string });
      expect(err).toMatchObject({ code: 'STORE_SCHEMA' });
      expect((err as { message: string }).message).toContain(`schema version ${SCHEMA_VERSION + 41}, newer than version ${SCHEMA_VERSION} this certfleet knows`);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM certfleet_schema')).rows[0]).toEqual({ n: 2 });
    } finally {
      await db.end();
    }
  });
});
