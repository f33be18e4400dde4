import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { openPool } from './pg-connection.js';
import { PgDatabase } from './pg-database.js';

let server: PostgresServer;
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });

describe('PgDatabase', () => {
  it('the database stopping mid-transaction fails it with STORE_DB (an unhandled client error would end the process), and the next query after the restart works', async () => {
    const url = await server.createDatabase();
    const db = new PgDatabase(openPool(url), url);
    try {
      const inFlight = db.transaction('wait', AbortSignal.timeout(60_000), (q) => q('SELECT pg_sleep(30)')).then(() => 'done', (e: unknown) => (e as { code?: string }).code);
      // Until the backend runs it: the stop must meet a checked-out client in the middle of a query.
      for (let i = 0; i < 200; i++) {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'`);
        if (rows[0]!.n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await server.stop();
      expect(await inFlight).toBe('STORE_DB');
      await server.start();
      expect((await db.query<{ one: number }>('check', 'SELECT 1 AS one', [], AbortSignal.timeout(10_000))).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.end();
    }
  });
});
