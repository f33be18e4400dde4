import pg from 'pg';
import { CertfleetError, errorMessage } from '../../errors.js';
import { processRedactor } from '../../redaction.js';

/** Where a URL points, for messages: `host:port` or the unix socket; never the password. */
export interface PgTarget {
  /** `host:port`, or `unix socket <dir>/.s.PGSQL.<port>`. */
  where: string;
  database: string;
  user: string;
  socket: boolean;
  /** The URL asks for certificate and host name verification (sslmode=verify-full). */
  verifyFull: boolean;
}

/** The parts of a PostgreSQL URL that matter to messages and to production mode, parsed as pg parses it. */
export function pgTarget(url: string): PgTarget {
  let params: pg.Client;
  try {
    // pg's own parser (no connection is made): the same reading as the pool's.
    params = new pg.Client({ connectionString: url });
  } catch {
    throw new CertfleetError('STORE_DB', 'store.url is not a PostgreSQL URL (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full, or ?host=/socket/dir)');
  }
  const host = params.host || 'localhost';
  const socket = host.startsWith('/');
  const sslmode = /[?&]sslmode=([^&]*)/.exec(url)?.[1];
  return {
    where: socket ? `unix socket ${host}/.s.PGSQL.${params.port}` : `${host}:${params.port}`,
    database: params.database ?? params.user ?? '',
    user: params.user ?? '',
    socket,
    verifyFull: sslmode === 'verify-full',
  };
}

export interface PgPoolOptions {
  /** At most this many connections (the LISTEN connection is separate). */
  max?: number;
  /** Shown in pg_stat_activity: which host and what. */
  applicationName?: string;
  connectTimeoutMs?: number;
}

/** A pool for `url`, its password added to the process's redactor (an error never carries it). */
export function openPool(url: string, opts: PgPoolOptions = {}): pg.Pool {
  redactPassword(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 5,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: opts.applicationName ?? 'certfleet',
    // A one-shot command exits when its work is done, without waiting for idle connections to time out.
    allowExitOnIdle: true,
  });
  // An idle client whose server went away emits 'error' on the pool: without a listener that
  // would end the process. The next query gets a fresh connection (or the error, named).
  pool.on('error', () => undefined);
  return pool;
}

/** The password of `url`, as given and percent-decoded, is a secret wherever text leaves the process. */
export function redactPassword(url: string): void {
  const raw = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/i.exec(url)?.[1];
  if (raw) processRedactor.add([raw, safeDecode(raw)]);
  const param = /[?&]password=([^&]*)/.exec(url)?.[1];
  if (param) processRedactor.add([param, safeDecode(param)]);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * One clear error for a failed connection: where (host:port or socket, database, user), what went
 * wrong in words, what to do; never the URL or the password.
 */
export function connectError(err: unknown, target: PgTarget): CertfleetError {
  if (err instanceof CertfleetError) return err;
  const e = err as { code?: string; message?: string };
  const at = `PostgreSQL at ${target.where} (database ${target.database}, user ${target.user})`;
  const why = ((): string => {
    switch (e.code) {
      case 'ECONNREFUSED': return 'the connection was refused: is PostgreSQL running and listening there?';
      case 'ENOTFOUND': case 'EAI_AGAIN': return 'the host name does not resolve';
      case 'ETIMEDOUT': return 'the connection timed out';
      case 'ENOENT': return 'there is no socket there: is PostgreSQL running, and is the socket directory right?';
      case '28P01': return 'the password was refused (wrong password for this user)';
      case '28000': return 'the server refused this user or address (pg_hba.conf)';
      case '3D000': return 'the database does not exist';
      default: break;
    }
    const text = errorMessage(err);
    if (/does not support SSL/i.test(text)) return 'TLS is required by the URL (sslmode) but the server does not offer it: enable ssl on the server, or use a unix socket';
    if (/self[- ]signed|unable to verify|certificate|altname/i.test(text)) return `the server's TLS certificate was not accepted (${text}): give its CA with sslrootcert=FILE in the URL`;
    if (/timeout/i.test(text)) return 'the connection timed out';
    return text;
  })();
  return new CertfleetError('STORE_DB', `cannot connect to ${at}: ${why}`, { cause: err, retryable: !/^28|^3D/.test(e.code ?? '') });
}

/** A query failure (not a connect failure) named with its target, the SQL state kept for callers. */
export function queryError(what: string, err: unknown, target: PgTarget): CertfleetError {
  if (err instanceof CertfleetError) return err;
  const code = (err as { code?: string }).code;
  // Errors before the first byte (refused, reset, the server stopped) are connection errors.
  if (!code || /^(E[A-Z]+|08|57P)/.test(code) || /Connection terminated|connection timeout/i.test(errorMessage(err))) {
    const c = connectError(err, target);
    return new CertfleetError('STORE_DB', `${what}: ${c.message}`, { cause: err, retryable: true });
  }
  return new CertfleetError('STORE_DB', `${what} in PostgreSQL at ${target.where}: ${errorMessage(err)} (SQL state ${code})`, { cause: err });
}
