import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startLocalStack, type LocalStack } from '../../support/local-stack.js';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';

/** pebble + PowerDNS (zone example.test) and PostgreSQL for a fleet chaos file, started once and stopped after it. */
export function useFleetStack(): { stack: LocalStack; server: PostgresServer } {
  const env = {} as { stack: LocalStack; server: PostgresServer };
  beforeAll(async () => {
    [env.stack, env.server] = await Promise.all([startLocalStack(['example.test']), startPostgres()]);
  });
  afterAll(async () => {
    await env.stack?.stop();
    await env.server?.destroy();
  });
  return env;
}

/** The rows of one statement on a connection of its own (the test's view of the database). */
export async function sqlRows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}
