import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.js';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { openPgStore } from './open-pg-store.js';
import { pgTarget } from './pg-connection.js';

let server: PostgresServer;
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });
const S = () => AbortSignal.timeout(20_000);

/** The error `ready` gives for `url`, as the user reads it (the message itself, before any redaction of output). */
async function startError(url: string): Promise<{ code: string | undefined; text: string }> {
  const pg = openPgStore({ url, host: 'h1' });
  try {
    await pg.ready(S());
  } catch (err) {
    return { code: (err as { code?: string }).code, text: (err as Error).message };
  } finally {
    await pg.close();
  }
  throw new Error('it connected');
}

describe('connecting: one clear error each, never the password', () => {
  it('an unreachable database names host and port', async () => {
    const port = await freePort();
    const err = await startError(`postgres://certfleet:hunter2-unreachable@127.0.0.1:${port}/certfleet`);
    expect(err.code).toBe('STORE_DB');
    expect(err.text).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port} (database certfleet, user certfleet): the connection was refused`);
    expect(err.text).not.toContain('hunter2-unreachable');
  });

  it('a wrong password', async () => {
    const url = server.passwordUrl(await server.createDatabase(), 'wrong-password-4f1e');
    const err = await startError(url);
    expect(err.code).toBe('STORE_DB');
    expect(err.text).toMatch(new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${server.port} \\(database \\w+, user certfleet\\): the password was refused`));
    expect(err.text).not.toContain('wrong-password-4f1e');
    expect(err.text).not.toContain(server.password);
  });

  it('TLS required by the URL, and a server without TLS', async () => {
    const err = await startError(`${server.passwordUrl(await server.createDatabase())}?sslmode=require`);
    expect(err.code).toBe('STORE_DB');
    expect(err.text).toContain('TLS is required by the URL (sslmode) but the server does not offer it');
    expect(err.text).not.toContain(server.password);
  });

  it('the right password connects and migrates; a unix socket URL too', async () => {
    const db = await server.createDatabase();
    for (const url of [server.passwordUrl(db), db]) {
      const pg = openPgStore({ url, host: 'h1' });
      await pg.ready(S());
      expect(await pg.store.writable(S())).toBe(true);
      await pg.close();
    }
  });

  it('targets: host:port or the socket, and whether verify-full is asked for', () => {
    expect(pgTarget('postgres://u:p@db.example:6543/x?sslmode=verify-full')).toEqual({ where: 'db.example:6543', database: 'x', user: 'u', socket: false, verifyFull: true });
    expect(pgTarget('postgres://u@/x?host=/run/postgresql')).toMatchObject({ where: 'unix socket /run/postgresql/.s.PGSQL.5432', socket: true, verifyFull: false });
  });
});
