import { afterAll, beforeAll } from 'vitest';
import { pgFixture } from './support/pg-store-fixture.js';
import { startPostgres, type PostgresServer } from './support/postgres-server.js';
import { describeStoreConformance } from './support/store-conformance.js';

let server: PostgresServer;
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });

// A save writes two rows (the certificate, its event): a fault at each of them.
describeStoreConformance('PgStore (PostgreSQL 15)', () => pgFixture(server), { faultPoints: 2 });
