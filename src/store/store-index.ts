import { chmodSync, rmSync } from 'node:fs';
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
export class StoreIndex {
  private readonly stmt: Record<'get' | 'gen' | 'markMeta' | 'putMeta' | 'markState' | 'putState' | 'fillNew' | 'fill' | 'all', StatementSync>;

  private constructor(private readonly db: DatabaseSync) {
    const prepare = (sql: string) => db.prepare(sql);
    this.stmt = {
      get: prepare('SELECT meta, meta_pending, state, state_pending FROM certs WHERE name = ?'),
      gen: prepare('SELECT gen FROM certs WHERE name = ?'),
      // A new row knows nothing of the other column yet: that one is pending (read from the files).
      markMeta: prepare('INSERT INTO certs (name, meta_pending, state_pending) VALUES (?, 1, 1) ON CONFLICT (name) DO UPDATE SET meta_pending = 1, gen = gen + 1'),
      putMeta: prepare('UPDATE certs SET meta = ?, meta_pending = 0, gen = gen + 1 WHERE name = ?'),
      markState: prepare('INSERT INTO certs (name, meta_pending, state_pending) VALUES (?, 1, 1) ON CONFLICT (name) DO UPDATE SET state_pending = 1, gen = gen + 1'),
      putState: prepare('UPDATE certs SET state = ?, state_pending = 0, gen = gen + 1 WHERE name = ?'),
      fillNew: prepare('INSERT INTO certs (name, meta, meta_pending, state, state_pending) VALUES (?, ?, 0, ?, 0) ON CONFLICT (name) DO NOTHING'),
      fill: prepare('UPDATE certs SET meta = ?, meta_pending = 0, state = ?, state_pending = 0, gen = gen + 1 WHERE name = ? AND gen = ?'),
      all: prepare('SELECT name, meta, meta_pending FROM certs'),
    };
  }

  /**
   * Opens (or creates) the index file. A file that is not a readable index of this format (a
   * truncated or corrupt file, another program's) is removed and created empty: `damaged` says
   * why, and the caller fills it again from the files.
   */
  static open(file: string): { index: StoreIndex; damaged?: string } {
    try {
      return { index: StoreIndex.openChecked(file) };
    } catch (err) {
      const damaged = errorMessage(err);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      try {
        return { index: StoreIndex.openChecked(file), damaged };
      } catch (again) {
        throw new CertfleetError('STORE_IO', `cannot create the store index ${file}: ${errorMessage(again)}`, { cause: again });
      }
    }
  }

  private static openChecked(file: string): StoreIndex {
    const db = new DatabaseSync(file);
    try {
      // Like renewal/ and state/ (0600); the -wal and -shm files take this mode from it.
      chmodSync(file, 0o600);
      // WAL: readers never wait for a writer; FULL: a committed mark survives a power loss too.
      db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
      const check = db.prepare('PRAGMA quick_check').all().map((r) => Object.values(r)[0]);
      if (check.length !== 1 || check[0] !== 'ok') throw new Error(`integrity check: ${check.slice(0, 3).join('; ')}`);
      db.exec(`CREATE TABLE IF NOT EXISTS certs (
        name TEXT PRIMARY KEY, meta TEXT, meta_pending INTEGER NOT NULL, state TEXT, state_pending INTEGER NOT NULL, gen INTEGER NOT NULL DEFAULT 0
      ) STRICT`);
      const columns = db.prepare('SELECT name FROM pragma_table_info(\'certs\')').all().map((r) => r.name).join(',');
      if (columns !== 'name,meta,meta_pending,state,state_pending,gen') throw new Error(`unexpected columns ${columns}`);
      return new StoreIndex(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** The metadata when the index is sure of it; undefined: read the files. */
  meta(name: string): CertificateMeta | undefined {
    const row = this.stmt.get.get(name);
    return row && row.meta_pending === 0 && typeof row.meta === 'string' ? JSON.parse(row.meta) as CertificateMeta : undefined;
  }

  /** The schedule state when the index is sure of it (`null`: none was ever written); undefined: read the files. */
  state(name: string): VersionedState | null | undefined {
    const row = this.stmt.get.get(name);
    if (!row || row.state_pending !== 0) return undefined;
    return typeof row.state === 'string' ? JSON.parse(row.state) as VersionedState : null;
  }

  /** Every name with metadata the index is sure of, and the names it is not (pending). */
  rows(): { known: Map<string, CertificateMeta>; pending: Set<string> } {
    const known = new Map<string, CertificateMeta>();
    const pending = new Set<string>();
    for (const row of this.stmt.all.all()) {
      const name = row.name as string;
      if (row.meta_pending !== 0) pending.add(name);
      else if (typeof row.meta === 'string') known.set(name, JSON.parse(row.meta) as CertificateMeta);
    }
    return { known, pending };
  }

  /** Before a save's commit (a failure here stops the save: nothing was switched). */
  markMeta(name: string): void {
    this.stmt.markMeta.run(name);
  }

  /** After the save's metadata is in place. */
  putMeta(meta: CertificateMeta): void {
    this.stmt.putMeta.run(JSON.stringify(meta), meta.name);
  }

  markState(name: string): void {
    this.stmt.markState.run(name);
  }

  putState(name: string, state: VersionedState): void {
    this.stmt.putState.run(JSON.stringify(state), name);
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
}
