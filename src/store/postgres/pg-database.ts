import pg from 'pg';
import { connectError, pgTarget, queryError, type PgTarget } from './pg-connection.js';

/** What a transaction body is given: queries on one connection inside BEGIN … COMMIT. */
export type PgQuery = <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

/**
 * The pool with what every store file needs of it: errors that name the target and never the
 * URL, and an AbortSignal on each call (a signal that fires mid-query destroys that connection,
 * which rolls an open transaction back on the server).
 */
export class PgDatabase {
  readonly target: PgTarget;
  readonly #url: string;
  private readonly prepare: ((db: PgDatabase, signal: AbortSignal) => Promise<unknown>) | undefined;
  private prepared: Promise<void> | undefined;

  /**
   * `prepare` (the migrations) runs once, before the first query: so a store can be built without
   * I/O and used at once. A failed prepare runs again at the next query (the database may be back).
   */
  constructor(readonly pool: pg.Pool, url: string, opts: { prepare?: (db: PgDatabase, signal: AbortSignal) => Promise<unknown> } = {}) {
    this.target = pgTarget(url);
    this.#url = url;
    this.prepare = opts.prepare;
  }

  /** Connects and runs `prepare` if that has not succeeded yet. */
  ready(signal: AbortSignal): Promise<void> {
    if (!this.prepare) return Promise.resolve();
    this.prepared ??= this.prepare(this, signal).then(() => undefined, (err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  /** A connection of its own, outside the pool (LISTEN holds one for as long as it listens). */
  newClient(): pg.Client {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'certfleet listen', connectionTimeoutMillis: 10_000 });
    // Without a listener an 'error' of a dead connection would end the process; the owner watches 'end'.
    client.on('error', () => undefined);
    return client;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(what: string, sql: string, params: unknown[], signal: AbortSignal): Promise<pg.QueryResult<R>> {
    return this.transaction(what, signal, (q) => q<R>(sql, params), { tx: false });
  }

  /**
   * `body` inside one transaction (or, with `tx` false, on a pooled connection without one).
   * `raw`: without waiting for `prepare` (what prepare itself runs).
   */
  async transaction<T>(what: string, signal: AbortSignal, body: (q: PgQuery) => Promise<T>, opts: { tx?: boolean; raw?: boolean } = {}): Promise<T> {
    const tx = opts.tx ?? true;
    signal.throwIfAborted();
    if (!opts.raw) await this.ready(signal);
    let client: pg.PoolClient;
    try {
      client = await connectAbortably(this.pool, signal);
    } catch (err) {
      signal.throwIfAborted();
      throw connectError(err, this.target);
    }
    let broken: Error | undefined;
    const discard = (err: Error) => {
      if (broken) return;
      broken = err;
      client.release(err);
    };
    const onAbort = () => discard(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    // A checked-out client has no pool listener: the server going away mid-query would be an
    // unhandled 'error' that ends the process. The query itself rejects; the client is discarded.
    client.on('error', discard);
    const q: PgQuery = (sql, params) => client.query(sql, params);
    try {
      if (tx) await q('BEGIN');
      const result = await body(q);
      if (tx) await q('COMMIT');
      return result;
    } catch (err) {
      if (tx && !broken) await q('ROLLBACK').catch((e: unknown) => discard(e instanceof Error ? e : new Error(String(e))));
      signal.throwIfAborted();
      throw queryError(`cannot ${what}`, err, this.target);
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.removeListener('error', discard);
      if (!broken) client.release();
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * pool.connect() bounded by `signal`: pg's own connect waits for connectionTimeoutMillis whatever
 * the caller's deadline, and on a partitioned network (packets dropped, nothing refused) that
 * outlasts a lease's TTL, so a heartbeat could not notice the lease was gone before another host
 * took it. A client that arrives after the abort goes back to the pool.
 */
function connectAbortably(pool: pg.Pool, signal: AbortSignal): Promise<pg.PoolClient> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    pool.connect().then((client) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) client.release();
      else resolve(client);
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
