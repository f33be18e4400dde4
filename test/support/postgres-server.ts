import { execFile, spawn, spawnSync } from 'node:child_process';
import { chown, mkdtemp, writeFile, appendFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';
import { registerSecret } from './secret-scan.js';
import { removeTree } from './remove-tree.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
/** The role with a password (scram-sha-256 over TCP), so a wrong password can be tested. */
const APP_ROLE = 'certfleet';
const APP_PASSWORD = 'pg-test-password-7f3a9c';

export interface PostgresServer {
  host: string;
  port: number;
  /** The unix socket directory (`?host=` of a socket URL). */
  socketDir: string;
  /** A fresh database's URL, as the superuser over the unix socket (no password). */
  createDatabase(): Promise<string>;
  /** The same database as the password role over TCP: `password` replaces the right one. */
  passwordUrl(databaseUrl: string, password?: string): string;
  readonly password: string;
  /** Stops the server (SIGINT: fast shutdown) and waits for it; the data dir stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data dir and port. */
  start(): Promise<void>;
  /** Stops it and removes its data dir. */
  destroy(): Promise<void>;
  /**
   * With `logStatements`: every statement the server ran so far (from its own log, so nothing a
   * client does goes uncounted), by application_name, in order.
   */
  statements(): Map<string, string[]>;
}

export interface PostgresOptions {
  /** log_statement=all, kept by application_name (for the idle-load benchmark). */
  logStatements?: boolean;
}

/**
 * PostgreSQL refuses to run as root: as root, the cluster is owned by and run as an unprivileged
 * user (Debian's `postgres`, else `nobody`), with the temp dir chowned to it.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const ids = userIds(user);
    if (ids) return ids;
  }
  throw new Error('running as root and neither the postgres nor the nobody user exists to run PostgreSQL as');
}

function userIds(user: string): { uid: number; gid: number } | undefined {
  // node has no getpwnam: `id` answers it.
  const r = spawnSyncText('id', ['-u', user]);
  const g = spawnSyncText('id', ['-g', user]);
  return r && g ? { uid: Number(r), gid: Number(g) } : undefined;
}

function spawnSyncText(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A real PostgreSQL 15 in a temp dir on a free loopback port, stopped by PID. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-pg-'));
  const data = path.join(dir, 'data');
  const ids = runAs();
  if (ids) await chown(dir, ids.uid, ids.gid);
  await chmod(dir, 0o700);
  const superuser = 'postgres';
  // trust over the socket and for the superuser; the app role needs its password over TCP.
  await run(`${BIN}/initdb`, ['-D', data, '-U', superuser, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...(ids ?? {}), env: { PATH: process.env.PATH ?? '', LANG: 'C' } });
  const hba = path.join(data, 'pg_hba.conf');
  await writeFile(hba, `local all all trust\nhost all ${APP_ROLE} 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n`);
  // Test speed, not durability: fsync off (a crash of the test machine loses only test data).
  await appendFile(path.join(data, 'postgresql.conf'), 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\nmax_connections = 200\n');
  if (ids) await run('chown', ['-R', `${ids.uid}:${ids.gid}`, data]);
  const port = await freePort();
  registerSecret(APP_PASSWORD);
  let proc: ReturnType<typeof spawn> | undefined;
  const output: string[] = [];
  const superUrl = (db: string) => `postgres://${superuser}@/${db}?host=${encodeURIComponent(dir)}&port=${port}`;

  const statements = new Map<string, string[]>();
  let partial = '';
  /** `APP|LOG:  statement: SQL` (simple protocol) or `APP|LOG:  execute <unnamed>: SQL` (extended). */
  const countStatements = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = /^(.*?)\|LOG: {2}(?:statement|execute [^:]*): (.*)$/.exec(line);
      if (!m) continue;
      const list = statements.get(m[1]!) ?? [];
      list.push(m[2]!);
      statements.set(m[1]!, list);
    }
  };
  const logArgs = opts.logStatements ? ['-c', 'log_statement=all', '-c', 'log_line_prefix=%a|', '-c', 'log_destination=stderr', '-c', 'logging_collector=off'] : [];
  const start = async () => {
    const child = spawn(`${BIN}/postgres`, ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...logArgs], { ...(ids ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', LANG: 'C' } });
    const keep = (b: Buffer) => { output.push(b.toString()); if (output.length > 200) output.shift(); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    if (opts.logStatements) child.stderr.on('data', (b: Buffer) => countStatements(b.toString()));
    proc = child;
    const until = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${output.join('')}`);
      const c = new pg.Client({ connectionString: superUrl('postgres') });
      const ok = await c.connect().then(() => true, () => false);
      await c.end().catch(() => undefined);
      if (ok) break;
      if (Date.now() > until) throw new Error(`postgres not ready after 20 s:\n${output.join('')}`);
      await delay(50);
    }
  };
  const stop = async () => {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT'); // fast shutdown: clients are disconnected at once
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  await admin(superUrl('postgres'), [`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`]);
  let databases = 0;
  return {
    host: '127.0.0.1',
    port,
    socketDir: dir,
    password: APP_PASSWORD,
    async createDatabase() {
      const db = `certfleet_${process.pid}_${++databases}`;
      await admin(superUrl('postgres'), [`CREATE DATABASE ${db} OWNER ${APP_ROLE}`]);
      return superUrl(db);
    },
    passwordUrl(databaseUrl, password = APP_PASSWORD) {
      const db = /@\/([^/?]+)/.exec(databaseUrl)?.[1] ?? 'postgres';
      return `postgres://${APP_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
    },
    stop,
    start,
    statements: () => new Map([...statements].map(([k, v]) => [k, [...v]])),
    async destroy() {
      await stop();
      await removeTree(dir);
    },
  };
}

async function admin(url: string, statements: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

