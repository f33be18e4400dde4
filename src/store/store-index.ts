import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateMeta, VersionedState } from './certificate-store.js';

/**
 * The store's index: one row per certificate with its metadata and schedule state, so a daemon
 * starts (and `certfleet list` answers) from one file instead of three per certificate.
 *
 * `node:sqlite` rather than a file of our own: it is built into Node 24 (no native module), and
 * it gives what a hand-written index would have to rebuild: atomic updates that survive a kill,
 * several processes (daemon, `certfleet issue`, `list`) reading and writing one file at once, and
 * point reads without loading the whole file.
 *
 * The index is derived data: `renewal/` and `state/` stay the truth, and the index only answers
 * what it is sure of. Every writer marks a row *pending* before it changes the files and clears
 * the mark with the new value after; a pending row (a writer is at work, or was killed between
 * the two steps) is read from the files. A row written from the files without a lock (a rebuild)
 * is written only if no writer touched it meanwhile (`gen`, compare-and-set). A name without a
 * row, or without metadata in its row, is read from the files too: an importer that writes the
 * layout directly (certbot import) is therefore never hidden.
 */
type Statements = Record<'get' | 'gen' | 'markMeta' | 'putMeta' | 'markState' | 'putState' | 'markLease' | 'putLease' | 'fillNew' | 'fill' | 'all' | 'served' | 'marked' | 'page', StatementSync>;

/**
 * Closed this long after its last use, and opened again at the next: an idle process holds no
 * file of the store open (an unmount, a removed store directory), and a burst (a daemon's start)
 * opens it once.
 */
const IDLE_CLOSE_MS = 2_000;
/** A column's pending mark: a writer is at work (or was killed at work) on it; or nothing is known of it yet. */
const WRITING = 1;
const UNKNOWN = 2;
/**
 * The state column's mark while a lease holder writes it (markLease): kept by the marks and puts
 * of compare-and-set writers, which may write between the holder's writes, and cleared only by
 * the holder's putLease, so one mark and one put cover every write of a lease.
 */
const LEASED = 3;
/** A compare-and-set writer's new state mark: `then`, unless a lease holder's mark is on the column. */
const KEEP_LEASED = (then: number) => `CASE WHEN state_pending = ${LEASED} THEN ${LEASED} ELSE ${then} END`;
/** SQLite's result code for a full disk or database. */
const SQLITE_FULL = 13;
/** SQLITE_CORRUPT and SQLITE_NOTADB: the file was damaged while open. */
const DAMAGE_CODES = new Set([11, 26]);

/**
 * This boot of the machine (Linux; the host's in a container too), or undefined where unknown.
 * The index is written without fsync within one boot (see connect), so an index written in
 * another boot is not trusted.
 */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why an index written in another boot is not used. */
export const WRITTEN_BEFORE_RESTART = 'written before the machine last started (the index is not synced to disk)';

export class StoreIndex {
  private open_: { db: DatabaseSync; stmt: Statements } | undefined;
  /** Why this handle stopped answering (the file was found damaged and removed); undefined: it answers. */
  damaged: string | undefined;
  private lastUse = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly file: string, private readonly bootId: string | undefined, db: DatabaseSync) {
    this.open_ = { db, stmt: StoreIndex.statements(db) };
    this.touch();
  }

  private static statements(db: DatabaseSync): Statements {
    const prepare = (sql: string) => db.prepare(sql);
    return {
      get: prepare('SELECT meta, meta_pending, state, state_pending FROM certs WHERE name = ?'),
      gen: prepare('SELECT gen FROM certs WHERE name = ?'),
      // A new row knows nothing of the other column yet: UNKNOWN (read from the files, filled at the next open).
      markMeta: prepare(`INSERT INTO certs (name, meta_pending, state_pending) VALUES (?, ${WRITING}, ${UNKNOWN}) ON CONFLICT (name) DO UPDATE SET meta_pending = ${WRITING}, gen = gen + 1`),
      putMeta: prepare('UPDATE certs SET meta = ?, meta_pending = 0, gen = gen + 1 WHERE name = ?'),
      markState: prepare(`INSERT INTO certs (name, meta_pending, state_pending) VALUES (?, ${UNKNOWN}, ${WRITING}) ON CONFLICT (name) DO UPDATE SET state_pending = ${KEEP_LEASED(WRITING)}, gen = gen + 1`),
      putState: prepare(`UPDATE certs SET state = ?, state_pending = ${KEEP_LEASED(0)}, gen = gen + 1 WHERE name = ?`),
      markLease: prepare(`INSERT INTO certs (name, meta_pending, state_pending) VALUES (?, ${WRITING}, ${LEASED}) ON CONFLICT (name) DO UPDATE SET meta_pending = ${WRITING}, state_pending = ${LEASED}, gen = gen + 1`),
      putLease: prepare('UPDATE certs SET meta = ?, meta_pending = 0, state = ?, state_pending = 0, gen = gen + 1 WHERE name = ?'),
      fillNew: prepare('INSERT INTO certs (name, meta, meta_pending, state, state_pending) VALUES (?, ?, 0, ?, 0) ON CONFLICT (name) DO NOTHING'),
      // Never over a writer's mark: it may be between its commit and its update (see above).
      fill: prepare(`UPDATE certs SET
        meta = CASE WHEN meta_pending = ${WRITING} THEN meta ELSE ?1 END, meta_pending = CASE WHEN meta_pending = ${WRITING} THEN ${WRITING} ELSE 0 END,
        state = CASE WHEN state_pending IN (${WRITING}, ${LEASED}) THEN state ELSE ?2 END, state_pending = CASE WHEN state_pending IN (${WRITING}, ${LEASED}) THEN state_pending ELSE 0 END,
        gen = gen + 1 WHERE name = ?3 AND gen = ?4`),
      all: prepare('SELECT name, meta, meta_pending FROM certs'),
      // Names joined by '/', which no file name holds: one string per kind, not an object per row
      // (100,000 row objects were most of a second at every open).
      served: prepare(`SELECT group_concat(name, '/') AS rows,
        group_concat(name, '/') FILTER (WHERE meta_pending = ${UNKNOWN} OR state_pending = ${UNKNOWN}) AS unknown,
        group_concat(name, '/') FILTER (WHERE meta_pending = 0 AND meta IS NOT NULL) AS meta,
        group_concat(name, '/') FILTER (WHERE meta_pending = 0 AND meta IS NULL) AS no_meta,
        group_concat(name, '/') FILTER (WHERE state_pending = 0 AND state IS NOT NULL) AS state,
        group_concat(name, '/') FILTER (WHERE state_pending = 0 AND state IS NULL) AS no_state,
        group_concat(name, '/') FILTER (WHERE meta_pending <> 0) AS meta_marked,
        group_concat(name, '/') FILTER (WHERE state_pending <> 0) AS state_marked
        FROM certs`),
      marked: prepare(`SELECT name FROM certs WHERE meta_pending = ${WRITING}`),
      // Rows as arrays: node:sqlite builds an object per row key by key, and at 100,000 rows
      // that was a third of the bulk read (0.7 s against 0.4 s measured).
      page: arrays(prepare(PAGE_SQL)),
    };
  }

  /** The open connection (opened again after an idle close), its idle close moved on. */
  private get stmt(): Statements {
    this.open_ ??= (() => {
      const db = StoreIndex.connect(this.file, this.bootId);
      return { db, stmt: StoreIndex.statements(db) };
    })();
    this.touch();
    return this.open_.stmt;
  }

  private get db(): DatabaseSync {
    void this.stmt;
    return this.open_!.db;
  }

  private touch(): void {
    this.lastUse = performance.now();
    if (this.idleTimer) return;
    const check = () => {
      const idle = performance.now() - this.lastUse;
      if (idle < IDLE_CLOSE_MS) {
        this.idleTimer = setTimeout(check, IDLE_CLOSE_MS - idle).unref();
        return;
      }
      this.idleTimer = undefined;
      this.close();
    };
    this.idleTimer = setTimeout(check, IDLE_CLOSE_MS).unref();
  }

  private static connect(file: string, bootId: string | undefined): DatabaseSync {
    const db = new DatabaseSync(file);
    try {
      // The rollback journal (not WAL): no -wal and -shm files beside it, which on a small or full
      // disk held tens of KiB per store; truncated rather than created and removed per write (an
      // inode created costs about 0.2 ms of CPU on a VM's ext4, measured). Without fsync when the boot is known: every process of
      // this boot reads the page cache, which a SIGKILL does not lose, and an index written in an
      // earlier boot (a power loss may have torn it) is rebuilt from the files at open. SQLite's
      // fsyncs ran on the event loop: 25 ms per issued certificate, measured (docs/benchmarks.md).
      db.exec(`PRAGMA busy_timeout = 5000; PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = ${bootId ? 'OFF' : 'FULL'}`);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Opens (or creates) the index file. A file that is not a readable index of this format (a
   * truncated or corrupt file, another program's) is removed and created empty: `damaged` says
   * why, and the caller fills it again from the files.
   */
  static open(file: string, opts: { bootId: string | undefined } = { bootId: currentBootId() }): { index: StoreIndex; damaged?: string } {
    const { bootId } = opts;
    try {
      return { index: StoreIndex.openChecked(file, bootId) };
    } catch (err) {
      const damaged = errorMessage(err);
      for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      try {
        return { index: StoreIndex.openChecked(file, bootId), damaged };
      } catch (again) {
        throw new CertfleetError('STORE_IO', `cannot create the store index ${file}: ${errorMessage(again)}`, { cause: again });
      }
    }
  }

  private static openChecked(file: string, bootId: string | undefined): StoreIndex {
    const db = StoreIndex.connect(file, bootId);
    try {
      // Like renewal/ and state/ (0600); the journal takes this mode from it.
      chmodSync(file, 0o600);
      db.exec(`CREATE TABLE IF NOT EXISTS certs (
        name TEXT PRIMARY KEY, meta TEXT, meta_pending INTEGER NOT NULL, state TEXT, state_pending INTEGER NOT NULL, gen INTEGER NOT NULL DEFAULT 0
      ) STRICT`);
      const columns = db.prepare('SELECT name FROM pragma_table_info(\'certs\')').all().map((r) => r.name).join(',');
      if (columns !== 'name,meta,meta_pending,state,state_pending,gen') throw new Error(`unexpected columns ${columns}`);
      // Not PRAGMA quick_check, which reads every page (7.5 s at 100,000 certificates): a file cut
      // short or grown shows against its header (read after any hot journal was rolled back),
      // and damage found later sends readers to the files (see read).
      const pages = Number(db.prepare('PRAGMA page_count').get()?.page_count);
      const pageSize = Number(db.prepare('PRAGMA page_size').get()?.page_size);
      const bytes = statSync(file).size;
      if (pages * pageSize !== bytes) throw new Error(`the file has ${bytes} bytes where its header says ${pages * pageSize}`);
      // The boot whose writes were not synced (none: every write was, as before this table existed).
      db.exec('CREATE TABLE IF NOT EXISTS unsynced (boot TEXT NOT NULL) STRICT');
      const boot = db.prepare('SELECT boot FROM unsynced').get()?.boot;
      const rows = Number(db.prepare('SELECT count(*) AS n FROM certs').get()?.n ?? 0);
      if (rows > 0 && boot !== undefined && boot !== bootId) throw new Error(WRITTEN_BEFORE_RESTART);
      if (boot !== bootId) {
        db.exec('DELETE FROM unsynced');
        if (bootId) db.prepare('INSERT INTO unsynced VALUES (?)').run(bootId);
      }
      return new StoreIndex(file, bootId, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Closes the file now (the next use opens it again). */
  close(): void {
    const open = this.open_;
    this.open_ = undefined;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (open?.db.isOpen) open.db.close();
  }

  /**
   * A read; damage SQLite finds only now (a page overwritten since the open) removes the file,
   * so the next open rebuilds it, and this and every later read of this handle answers
   * undefined: read the files.
   */
  private read<T>(op: (stmt: Statements) => T): T | undefined {
    if (this.damaged) return undefined;
    try {
      return op(this.stmt);
    } catch (err) {
      if (!DAMAGE_CODES.has((err as { errcode?: number }).errcode ?? -1)) throw err;
      this.damaged = errorMessage(err);
      this.close();
      for (const f of [this.file, `${this.file}-journal`]) rmSync(f, { force: true });
      return undefined;
    }
  }

  /** The metadata when the index is sure of it; undefined: read the files. */
  meta(name: string): CertificateMeta | undefined {
    const row = this.read((stmt) => stmt.get.get(name));
    return (row && rowMeta(row.meta, row.meta_pending)) ?? undefined;
  }

  /** The schedule state when the index is sure of it (`null`: none was ever written); undefined: read the files. */
  state(name: string): VersionedState | null | undefined {
    const row = this.read((stmt) => stmt.get.get(name));
    return row && rowState(row.state, row.state_pending);
  }

  /** Every name with metadata the index is sure of, and the names it is not (pending). */
  rows(): { known: Map<string, CertificateMeta>; pending: Set<string> } {
    const known = new Map<string, CertificateMeta>();
    const pending = new Set<string>();
    for (const row of this.stmt.all.all()) {
      const meta = rowMeta(row.meta, row.meta_pending);
      if (meta === undefined) pending.add(row.name as string);
      else if (meta) known.set(row.name as string, meta);
    }
    return { known, pending };
  }

  /**
   * The names whose files and rows disagree on what exists: metadata served from the index but
   * no `renewal/<name>.json`, or the other way round, and the same for state (a file removed or
   * added by hand, or by a program that does not know the index). Names only: cheap at open.
   */
  disagreeing(metaFiles: ReadonlySet<string>, stateFiles: ReadonlySet<string>): string[] {
    const served = this.stmt.served.get() ?? {};
    const names = (kind: string) => (typeof served[kind] === 'string' ? served[kind].split('/') : []);
    // A column a writer marked is read from the files anyway, and the mark is that writer's to clear.
    const out = new Set(names('unknown'));
    let rows: Set<string> | undefined;
    const check = (files: ReadonlySet<string>, servedNames: string[], marked: string, none: string) => {
      let missing = 0;
      for (const name of servedNames) {
        if (!files.has(name)) {
          out.add(name);
          missing++;
        }
      }
      // Every served name has its file: the files are the served names, the marked rows' files
      // (few: writers at work) and the ones looked for here (without a row, or whose row says
      // none). Counting tells whether there are any of the last, without a set of every row
      // (the common open, beside a running daemon too, where looking cost more than the rest).
      if (missing === 0) {
        let markedFiles = 0;
        for (const name of names(marked)) if (files.has(name)) markedFiles++;
        if (files.size === servedNames.length + markedFiles) return;
      }
      rows ??= new Set(names('rows'));
      const without = new Set(names(none));
      for (const name of files) if (!rows.has(name) || without.has(name)) out.add(name);
    };
    check(metaFiles, names('meta'), 'meta_marked', 'no_meta');
    check(stateFiles, names('state'), 'state_marked', 'no_state');
    return [...out];
  }

  /**
   * Before a save writes anything (a failure here stops the save: nothing was written). The mark
   * stays if the save does not finish (killed, or failed): the start sweep cleans those rows' files.
   */
  markMeta(name: string): void {
    this.write(() => this.stmt.markMeta.run(name));
  }

  /** After the save's metadata is in place. */
  putMeta(meta: CertificateMeta): void {
    this.stmt.putMeta.run(JSON.stringify(meta), meta.name);
  }

  /** The rows a save marked and did not finish: where a killed save may have left files (FileStore.sweep). */
  marked(): string[] {
    return this.stmt.marked.all().map((r) => r.name as string);
  }

  markState(name: string): void {
    this.write(() => this.stmt.markState.run(name));
  }

  /** A write, its failure as STORE_IO naming the file (a full disk as ENOSPC, like every other write of a save). */
  private write(op: () => unknown): void {
    try {
      op();
    } catch (err) {
      const full = (err as { errcode?: number }).errcode === SQLITE_FULL;
      throw new CertfleetError('STORE_IO', `cannot write ${this.file}: ${full ? 'ENOSPC: no space left on device' : errorMessage(err)}`, { cause: err });
    }
  }

  putState(name: string, state: VersionedState): void {
    this.stmt.putState.run(JSON.stringify(state), name);
  }

  /**
   * Before a lease's first write (a state write or a save): both columns are marked until the
   * lease's putLease, so its later writes touch the index no more (one transaction per lease
   * where there were two per write). A kill before putLease leaves the marks: readers keep
   * reading the files, and the sweep looks at the row (marked).
   */
  markLease(name: string): void {
    this.write(() => this.stmt.markLease.run(name));
  }

  /**
   * When the lease ends (under its state lock, still current): the values the files hold now.
   * `state` of version 0 is none.
   */
  putLease(name: string, meta: CertificateMeta | undefined, state: VersionedState): void {
    this.stmt.putLease.run(meta ? JSON.stringify(meta) : null, state.version > 0 ? JSON.stringify(state) : null, name);
  }

  /** The row's write count, for fill (undefined: no row). */
  generation(name: string): number | undefined {
    const row = this.stmt.gen.get(name);
    return row ? Number(row.gen) : undefined;
  }

  /**
   * Rows read from the files without a lock: each is written only if its row is still at the
   * generation seen before the files were read (no writer came between), in one transaction.
   */
  fill(rows: { name: string; gen: number | undefined; meta: CertificateMeta | undefined; state: VersionedState | undefined }[]): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of rows) {
        const meta = r.meta ? JSON.stringify(r.meta) : null;
        const state = r.state && r.state.version > 0 ? JSON.stringify(r.state) : null;
        if (r.gen === undefined) this.stmt.fillNew.run(r.name, meta, state);
        else this.stmt.fill.run(meta, state, r.name, r.gen);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Every row after `after` (by name), at most `limit` read: metadata and state where the index
   * is sure of them, `undefined` where it is not (read that from the files). Rows whose name
   * `only` refuses are left out unparsed. `read` counts the rows read (a page shorter than
   * `limit` was the last) and `last` is the last one's name (where the next page starts). A page
   * is one statement, so no read lock is held between pages.
   */
  page(after: string, limit: number, only?: (name: string) => boolean): IndexPage | undefined {
    const rows = this.read((stmt) => stmt.page.all(after, limit) as unknown as PageRow[]);
    return rows && pageOf(rows, after, only);
  }
}

/** StoreIndex.page's answer. */
export interface IndexPage {
  rows: { name: string; meta: CertificateMeta | null | undefined; state: VersionedState | null | undefined }[];
  read: number;
  last: string;
}

/**
 * An index file read by several threads at once while its StoreIndex (in the thread that opened
 * the store) checks it against the files: read-only, no check and no rebuild of its own, in
 * chunks of rowids that the threads share out. Its answers count only once that check found the
 * index usable (`list`'s table: list-worker-table.ts).
 */
export class StoreIndexReader {
  private constructor(private readonly db: DatabaseSync, private readonly stmt: StatementSync) {}

  /** Undefined when there is no index file (yet). */
  static open(file: string): StoreIndexReader | undefined {
    if (!existsSync(file)) return undefined;
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      return new StoreIndexReader(db, arrays(db.prepare(CHUNK_SQL)));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** How many chunks of `size` rowids the rows are in now (rows added later are in chunks after). */
  chunks(size: number): number {
    const max = Number(this.db.prepare('SELECT max(rowid) AS m FROM certs').get()?.m ?? 0);
    return Math.ceil(max / size);
  }

  /** The rows of chunk `k` (rowids k·size + 1 to (k + 1)·size), as StoreIndex.page's; a damaged file throws. */
  chunk(k: number, size: number): IndexPage['rows'] {
    return rowsOf(this.stmt.all(k * size, (k + 1) * size) as unknown as PageRow[]);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

const CHUNK_SQL = 'SELECT name, meta, meta_pending, state, state_pending FROM certs WHERE rowid > ? AND rowid <= ?';
const PAGE_SQL = 'SELECT name, meta, meta_pending, state, state_pending FROM certs WHERE name > ? ORDER BY name LIMIT ?';

function pageOf(rows: PageRow[], after: string, only?: (name: string) => boolean): IndexPage {
  return { rows: rowsOf(rows, only), read: rows.length, last: rows.length > 0 ? rows[rows.length - 1]![0] : after };
}

/** The rows `only` takes (all without it), their metadata and state parsed where the index is sure of them. */
function rowsOf(rows: PageRow[], only?: (name: string) => boolean): IndexPage['rows'] {
  const out: IndexPage['rows'] = [];
  for (const [name, meta, metaPending, state, statePending] of rows) {
    if (!only || only(name)) out.push({ name, meta: rowMeta(meta, metaPending), state: rowState(state, statePending) });
  }
  return out;
}

/** A `page` row: name, meta, meta_pending, state, state_pending. */
type PageRow = [string, unknown, unknown, unknown, unknown];

function arrays(stmt: StatementSync): StatementSync {
  stmt.setReturnArrays(true);
  return stmt;
}

/** A row's metadata column and its mark: undefined while a writer's mark is on it (read the files), null when it has none. */
function rowMeta(meta: unknown, pending: unknown): CertificateMeta | null | undefined {
  if (pending !== 0) return undefined;
  return typeof meta === 'string' ? JSON.parse(meta) as CertificateMeta : null;
}

/** A row's state column and its mark, as rowMeta (null: none was ever written). */
function rowState(state: unknown, pending: unknown): VersionedState | null | undefined {
  if (pending !== 0) return undefined;
  return typeof state === 'string' ? JSON.parse(state) as VersionedState : null;
}
