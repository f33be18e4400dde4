import { constants, existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { timeoutSignal } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { PEM_FILES, type CertificateMeta, type CertificatePaths, type Lease, type LocalCertificateDirectory, type NewCertificate, type PemFile, type StoredCertificate, type StoredSchedule, type VersionedState } from './certificate-store.js';
import { ensureDir, finishSwitch, layoutAccessPaths, livePaths, pathError, syncDir, writeDerivedFile, writeFileAtomic, writeNewFile, writeVersion } from './certbot-layout.js';
import { bumpToken, Fence } from './fencing-token.js';
import { acquireLinkedLock, acquireLock, lockGeneration, type LockFileLease } from './lock-file.js';
import { foreignLive, preflightSave } from './preflight-save.js';
import { EMPTY_STATE, type RenewalState } from './renewal-state.js';
import { StateCipher } from './state-cipher.js';
import type { CopyableStore } from './store-copy.js';
import { certificatesWithDebris, cleanCertificateDebris, liveVersion, liveVersionNow, pendingMetaPath, removeAll, strayDebris, sweepTemps } from './store-debris.js';
import { StoreIndex, WRITTEN_BEFORE_RESTART } from './store-index.js';

// Re-exported until every caller imports the contract's types from certificate-store.ts.
export { PEM_FILES, type CertificateMeta, type CertificatePaths, type Lease, type PemFile, type StoredCertificate } from './certificate-store.js';

/** Files of the account directory (names kept from before the AccountStore interface). */
const PACE_FILE = 'pace.json';
const ISSUER_CERTIFICATE_FILE = 'ca.pem';

/** A grant of one lock of a FileStore: the lock file's lease and the fencing token it was given. */
class FileLease implements Lease {
  private released = false;
  /** This lease marked its row in the index (its first write): release puts the files' values there. */
  indexMarked = false;
  /** A save under this lease failed: its mark stays for the sweep. */
  saveUnfinished = false;

  /** `finish` runs at release while the lock is still held (the index's put of what this lease wrote). */
  constructor(readonly lockFile: string, readonly token: bigint, readonly held: LockFileLease, readonly fence: Fence | undefined, private readonly finish: (lease: FileLease) => Promise<void>) {}

  get signal(): AbortSignal {
    return this.held.signal;
  }

  /** The newest grant's token, from the fence this lease holds open (no open or path walk per check). */
  newestToken(): bigint {
    return this.fence?.read() ?? this.token;
  }

  /** Why this lease may not write now, or undefined (the token is checked by the store). */
  unusable(): string | undefined {
    if (this.released) return 'it was released';
    if (this.held.signal.aborted) return 'it was lost (another process took the lock over)';
    return undefined;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.finish(this);
    await this.fence?.close();
    await this.held[Symbol.asyncDispose]();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

export interface FileStoreOptions {
  root: string;
  /** Encrypts certfleet's own secrets at rest (account keys); `live/` files stay readable by servers. */
  cipher?: StateCipher | undefined;
  /** Lock files untouched for this long are taken over (a dead owner on this host is seen at once). */
  staleLockMs?: number;
  heartbeatMs?: number;
  /** Temp files older than this are debris even when their writer's liveness cannot be checked. */
  tempAgeMs?: number;
  /** Keep and use `index.sqlite` (store-index.ts); off: every read goes to the files. Default on. */
  index?: boolean;
  /** Where a rebuilt or unusable index is reported. */
  log?: StoreLog | undefined;
}

/** The part of a Logger the store reports to (it logs only about its index). */
export interface StoreLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** How long a lease's release waits for the state lock to put its row (then the marks stay). */
const PUT_LEASED_WAIT_MS = 5_000;
/** Certificates whose files a rebuild of the index reads at once. */
const FILL_BATCH = 256;
/** Rows of the index read by one statement in `schedules`. */
const SCHEDULE_PAGE = 2_000;

/**
 * certbot's layout: live/<name>/{cert,chain,fullchain,privkey}.pem are relative
 * symlinks into archive/<name>/<file><N>.pem. live/<name> itself is a symlink to
 * a per-version directory of those links, swapped by one rename, so a reader
 * never sees a certificate from one version and a key from another.
 */
export class FileStore implements CopyableStore, LocalCertificateDirectory {
  readonly root: string;
  private readonly cipher: StateCipher | undefined;
  private readonly staleLockMs: number;
  private readonly heartbeatMs: number;
  private readonly tempAgeMs: number;
  private readonly useIndex: boolean;
  private readonly log: StoreLog | undefined;
  /** The index once opened (and filled when it was missing or damaged); undefined: files only. */
  private indexing: Promise<StoreIndex | undefined> | undefined;
  /** This process filled the index from the files: no row's mark can be trusted to point at debris. */
  private indexFilled = false;
  /** Rows found out of step with the files when the index was opened (sweep suspects). */
  private indexRefreshed: string[] = [];

  constructor(opts: FileStoreOptions) {
    this.root = path.resolve(opts.root);
    this.cipher = opts.cipher;
    this.staleLockMs = opts.staleLockMs ?? 60_000;
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
    this.tempAgeMs = opts.tempAgeMs ?? 10 * 60_000;
    this.useIndex = opts.index ?? true;
    this.log = opts.log;
  }

  /** `index.sqlite` in the store root. */
  get indexFile(): string {
    return path.join(this.root, 'index.sqlite');
  }

  /**
   * Opens the index (as the first read does) and says what a reader of its file in another thread
   * (StoreIndexReader), started before, may use: nothing (undefined) when there is no index, or
   * this open built it anew from the files; otherwise all but the names this open found out of step
   * with the files and refreshed (read those again).
   */
  async indexReadable(): Promise<{ refreshed: readonly string[] } | undefined> {
    const index = await this.index();
    return index && !this.indexFilled ? { refreshed: this.indexRefreshed } : undefined;
  }

  /**
   * The index, opened once. Missing or damaged, it is (re)built from the files first; a store
   * directory that does not exist yet has none (reads go to the files, and the first save
   * creates it); one that cannot be opened (a read-only store) is reported once and not used.
   */
  private index(): Promise<StoreIndex | undefined> {
    if (!this.useIndex) return Promise.resolve(undefined);
    this.indexing ??= (async () => {
      // The two listings first, on the thread pool: a caller that opens the store early (`list`,
      // before it parses the entries) finds them done. Which comes first, the listing or the
      // open, does not matter: a name that changed between the two disagrees, and is read again.
      // The rest synchronously (small calls; each thread-pool step waited for a busy caller).
      const listing = Promise.all([this.jsonNames('renewal'), this.jsonNames('state')]);
      const existed = existsSync(this.indexFile);
      if (!existed && !existsSync(path.join(this.root, 'renewal')) && !existsSync(this.root)) return null;
      let opened: { index: StoreIndex; damaged?: string };
      try {
        opened = StoreIndex.open(this.indexFile);
      } catch (err) {
        this.log?.warn({ index: this.indexFile, error: errorMessage(err) }, 'store_index_unusable_reading_files');
        return undefined;
      }
      const started = performance.now();
      const [metaFiles, stateFiles] = await listing;
      if (opened.damaged !== undefined || !existed) {
        this.indexFilled = true;
        const filled = await this.fillIndex(opened.index, [...new Set([...metaFiles, ...stateFiles])].sort());
        const detail = { index: this.indexFile, certificates: filled, ms: Math.round(performance.now() - started) };
        // After a restart of the machine the rebuild is routine (the index is not synced), not damage.
        if (opened.damaged === WRITTEN_BEFORE_RESTART) this.log?.info({ ...detail, reason: opened.damaged }, 'store_index_rebuilt');
        else if (opened.damaged !== undefined) this.log?.warn({ ...detail, damage: opened.damaged }, 'store_index_rebuilt');
        else this.log?.info(detail, 'store_index_built');
      } else {
        // Files removed or added behind the index's back (by hand, by an older certfleet): those rows again.
        const stale = opened.index.disagreeing(new Set(metaFiles), new Set(stateFiles));
        if (stale.length > 0) {
          this.indexRefreshed = stale;
          await this.fillIndex(opened.index, stale);
          this.log?.info({ index: this.indexFile, certificates: stale.length }, 'store_index_refreshed');
        }
      }
      return opened.index;
    })().then((idx) => {
      if (idx === null) this.indexing = undefined; // no store yet: look again next time
      return idx ?? undefined;
    });
    return this.indexing;
  }

  /** The certificate names with a `<name>.json` in `dir` (renewal/ or state/). */
  private async jsonNames(dir: string): Promise<string[]> {
    return (await fs.readdir(path.join(this.root, dir)).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  }

  /**
   * Fills the index from `renewal/` and `state/` (the files are the truth). Each row is read
   * without a lock and written only if no writer changed it meanwhile (StoreIndex.fill); a
   * certificate whose files cannot be read keeps no row, so it is read from its files.
   */
  private async fillIndex(index: StoreIndex, names: string[]): Promise<number> {
    const signal = new AbortController().signal;
    let filled = 0;
    for (let i = 0; i < names.length; i += FILL_BATCH) {
      const batch = names.slice(i, i + FILL_BATCH).map((name) => ({ name, gen: index.generation(name) }));
      const rows = await Promise.all(batch.map(async ({ name, gen }) => {
        try {
          const [meta, state] = await Promise.all([this.readMetaFromFiles(name, signal), this.readStateFromFile(name, signal)]);
          return [{ name, gen, meta, state }];
        } catch {
          return [];
        }
      }));
      index.fill(rows.flat());
      filled += rows.flat().length;
    }
    return filled;
  }

  private liveDir(name: string): string {
    return path.join(this.root, 'live', name);
  }

  paths(name: string): CertificatePaths {
    return livePaths(this.root, name);
  }

  /**
   * One whole version, even while saves run: `live/<name>` is resolved once and the PEMs are read
   * inside the version directory it names, with that version's metadata. A save that switches
   * `live/` meanwhile (or prunes that directory) makes it read again.
   */
  async load(name: string, signal: AbortSignal): Promise<StoredCertificate | undefined> {
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      const target = await fs.readlink(this.liveDir(name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw new CertfleetError('STORE_IO', `cannot read ${this.liveDir(name)}: ${errorMessage(err)}`, { cause: err });
      });
      if (target === undefined) return undefined;
      const version = Number(/^\.versions\/[^/]+\/(\d+)$/.exec(target)?.[1] ?? NaN);
      if (!Number.isInteger(version)) throw new CertfleetError('STORE_IO', `${this.liveDir(name)} points to ${target}, not to a version certfleet wrote`);
      const dir = path.join(this.root, 'live', target);
      try {
        const pem = {} as Record<PemFile, string>;
        await Promise.all(PEM_FILES.map(async (f) => { pem[f] = await fs.readFile(path.join(dir, `${f}.pem`), 'utf8'); }));
        const meta = await this.metaOfVersion(name, version);
        if (meta) return { meta, pem };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 10) throw new CertfleetError('STORE_IO', `cannot read certificate ${name}: ${errorMessage(err)}`, { cause: err });
      }
      if (attempt >= 10) throw new CertfleetError('STORE_IO', `cannot read certificate ${name}: no metadata of version ${version}`);
    }
  }

  /** The metadata of `version`: in place, or still pending (the save is between its switch and its rename). */
  private async metaOfVersion(name: string, version: number): Promise<CertificateMeta | undefined> {
    for (const file of [this.metaPath(name), pendingMetaPath(this.root, name, version), this.metaPath(name)]) {
      const meta = await this.readJson(file, name);
      if (meta?.version === version) return meta;
    }
    return undefined;
  }

  /**
   * The metadata of what `live/` shows: when a save died between switching `live/` and renaming
   * the metadata into place, the new version's pending metadata (the next save completes it).
   */
  async readMeta(name: string, signal: AbortSignal): Promise<CertificateMeta | undefined> {
    signal.throwIfAborted();
    return (await this.index())?.meta(name) ?? this.readMetaFromFiles(name, signal);
  }

  private async readMetaFromFiles(name: string, signal: AbortSignal): Promise<CertificateMeta | undefined> {
    signal.throwIfAborted();
    const meta = await this.readJson(this.metaPath(name), name);
    const live = await liveVersion(this.root, name);
    if (live > (meta?.version ?? 0)) return (await this.readJson(pendingMetaPath(this.root, name, live), name)) ?? meta;
    return meta;
  }

  private async readJson(file: string, name: string): Promise<CertificateMeta | undefined> {
    return metaJson(() => fs.readFile(file, 'utf8'), name);
  }

  /** readMetaFromFiles with synchronous reads: for the end of a lease (a few small cached files). */
  private async metaFromFilesNow(name: string): Promise<CertificateMeta | undefined> {
    const meta = await metaJson(() => readFileSync(this.metaPath(name), 'utf8'), name);
    const live = liveVersionNow(this.root, name);
    if (live > (meta?.version ?? 0)) return (await metaJson(() => readFileSync(pendingMetaPath(this.root, name, live), 'utf8'), name)) ?? meta;
    return meta;
  }

  async list(signal: AbortSignal): Promise<CertificateMeta[]> {
    let names: string[];
    try {
      names = (await fs.readdir(path.join(this.root, 'renewal'))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    // The names come from renewal/ (what is stored, whoever wrote it), the metadata from the index where it is sure.
    const known = (await this.index())?.rows().known ?? new Map<string, CertificateMeta>();
    const metas: (CertificateMeta | undefined)[] = [];
    const sorted = names.sort();
    for (let i = 0; i < sorted.length; i += FILL_BATCH) {
      metas.push(...await Promise.all(sorted.slice(i, i + FILL_BATCH).map(async (n) => known.get(n) ?? this.readMetaFromFiles(n, signal))));
    }
    return metas.filter((m): m is CertificateMeta => m !== undefined);
  }

  /**
   * Writes a new version: every file or none; `live/` switches only once all are on disk.
   * Runs under `lease` (the certificate's lock), checked before anything is written and again
   * just before the commit: a stale lease (STORE_FENCED) writes nothing. Debris of earlier failed
   * saves is removed first, and the version is one that no archive file, version directory,
   * metadata or `live/` uses, so a leftover never blocks a save.
   */
  async save(cert: NewCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta> {
    this.assertCurrent(lease, cert.meta.name, 'save');
    return this.saveLocked(cert, lease, signal);
  }

  /** A save that keeps `cert`'s version number when it is above the current one (store migrate: store-copy.ts). */
  async saveCopy(cert: StoredCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta> {
    this.assertCurrent(lease, cert.meta.name, 'save');
    const { version, ...meta } = cert.meta;
    return this.saveLocked({ meta, pem: cert.pem }, lease, signal, version);
  }

  /** Every issuer key with an account directory (store migrate). */
  async accountKeys(signal: AbortSignal): Promise<string[]> {
    signal.throwIfAborted();
    return (await fs.readdir(path.join(this.root, 'accounts')).catch(() => [] as string[])).sort();
  }

  private async saveLocked(cert: NewCertificate, lease: Lease, signal: AbortSignal, minVersion = 0): Promise<CertificateMeta> {
    try {
      return await this.saveVersion(cert, lease, signal, minVersion);
    } catch (err) {
      // A save that did not finish keeps its row's mark past the release: the start sweep looks
      // at what it may have left (a removal that failed too) without reading every certificate.
      (lease as FileLease).saveUnfinished = true;
      throw err;
    }
  }

  private async saveVersion(cert: NewCertificate, lease: Lease, signal: AbortSignal, minVersion: number): Promise<CertificateMeta> {
    const name = cert.meta.name;
    const renewal = path.join(this.root, 'renewal');
    const fail = (err: unknown) => new CertfleetError('STORE_IO', `cannot save certificate ${name}: ${errorMessage(err)}`, { cause: err });
    let version: number;
    const index = await this.index();
    try {
      // Before anything is written (the debris removal below included): until the metadata is in
      // place, the index sends readers to the files, and a kill at any point leaves this mark, so
      // the start sweep finds what it left without reading every certificate's files (sweep).
      this.markLeased(index, lease, name);
      await ensureDir(renewal);
      // Refuses a foreign live/<name> before anything of name is created (it would leave an empty
      // .versions/<name>); every version present is at most the current one once its debris is gone.
      const current = await cleanCertificateDebris(this.root, name, { tempAgeMs: this.tempAgeMs }, signal);
      version = Math.max(current, minVersion - 1) + 1;
    } catch (err) {
      throw fail(err);
    }
    const pending = pendingMetaPath(this.root, name, version);
    try {
      await writeVersion(this.root, name, version, cert.pem, {
        // The metadata is on disk before the switch, so a switched `live/` always has it (see readMeta).
        prepare: async (created) => {
          await writeNewFile(pending, `${JSON.stringify({ ...cert.meta, version }, null, 2)}\n`, 0o600);
          created.push(pending);
          await syncDir(renewal);
        },
        // The lock may have been taken over while this save wrote (a stall): the newer holder's work stands.
        beforeSwitch: () => this.assertCurrent(lease, name, 'save'),
      }, signal);
    } catch (err) {
      throw err instanceof CertfleetError && err.code === 'STORE_FENCED' ? err : fail(err);
    }
    try {
      // renewal/ is not synced after this rename: a crash that loses it leaves the pending
      // metadata of the live version, which readers use (readMetaFromFiles) and the next save or
      // sweep renames (cleanCertificateDebris); the next save's sync of renewal/ covers it too.
      await fs.rename(pending, this.metaPath(name));
      await finishSwitch(this.root, name, version);
    } catch (err) {
      throw new CertfleetError('STORE_IO', `certificate ${name} version ${version} is live, but finishing its save failed (completed at the next save): ${errorMessage(err)}`, { cause: err });
    }
    return { ...cert.meta, version };
  }

  /**
   * LocalCertificateDirectory: this store's own `live/` is the host's directory, and save already
   * wrote it. So this only saves (under its own lease) when `live/` does not show that
   * certificate yet; a caller holding `name`'s lease must not call it (it would wait for itself).
   */
  async write(cert: StoredCertificate, signal: AbortSignal): Promise<CertificatePaths> {
    const name = cert.meta.name;
    const shown = await this.readMeta(name, signal);
    if (shown?.serial !== cert.meta.serial || shown.issuer !== cert.meta.issuer) {
      await using lease = await this.lock(name, signal);
      const { version: _ignored, ...meta } = cert.meta;
      await this.save({ meta, pem: cert.pem }, lease, signal);
    }
    return this.paths(name);
  }

  /**
   * Every directory from the store root down to `name`'s files (root, live/, archive/,
   * live/.versions/, its version directories, archive/<name>/), each after its parent, and every
   * archive file of every version: what a reader passes through and reads. Names only: the
   * permissions action opens each inside its opened parent with O_NOFOLLOW.
   */
  accessPaths(name: string, signal: AbortSignal): Promise<{ dirs: string[]; files: string[] }> {
    return layoutAccessPaths(this.root, name, signal);
  }

  /**
   * Writes `file` into the version directory `live/<name>` points to (so it switches with the
   * certificate), atomically and with exactly `mode`; returns its path under `live/<name>/`.
   */
  writeDerived(name: string, file: string, data: Buffer, mode: number, signal: AbortSignal): Promise<string> {
    return writeDerivedFile(this.root, name, file, data, mode, signal);
  }

  /**
   * Removes what crashes and full disks left: temp files whose writer is dead or that are older
   * than `tempAgeMs` (store-wide), and the debris of every certificate whose lock is free now
   * (one that is held is cleaned by its holder's next save). Call at daemon and `issue` start.
   */
  async sweep(signal: AbortSignal): Promise<string[]> {
    const removed = await sweepTemps(this.root, { tempAgeMs: this.tempAgeMs }, signal);
    const suspects = await this.suspects(signal);
    const stray = suspects.length > 0 ? await strayDebris(this.root, new Set(suspects), { tempAgeMs: this.tempAgeMs }, signal) : new Map<string, string[]>();
    const index = await this.index();
    for (const name of suspects) {
      signal.throwIfAborted();
      // Never another tool's lineage (cleanCertificateDebris refuses it): the sweep leaves it alone.
      if (await foreignLive(this.root, name)) continue;
      // A grant like any other: a stalled holder whose files this removes cannot commit after it.
      await using lease = await this.acquire(name, false, signal);
      if (!lease) continue;
      await cleanCertificateDebris(this.root, name, { tempAgeMs: this.tempAgeMs }, signal);
      await removeAll(stray.get(name) ?? []);
      // The files are whole again: the row answers from the index once more.
      const meta = await this.readMetaFromFiles(name, signal);
      if (meta) putIndexed(() => index?.putMeta(meta));
    }
    // Every other lock a dead process left (a clean certificate's, one for a name nothing is
    // stored under, a TXT name's): taken over and released, which removes it and fences its
    // dead holder; a live holder's stays.
    const visited = new Set(suspects.map((n) => `${n}.lock`));
    for (const f of await fs.readdir(path.join(this.root, 'locks')).catch(() => [] as string[])) {
      if (!f.endsWith('.lock') || visited.has(f)) continue;
      signal.throwIfAborted();
      const lease = await acquireLock(path.join(this.root, 'locks', f), { staleMs: this.staleLockMs, heartbeatMs: this.heartbeatMs, wait: false }, signal);
      if (!lease) continue;
      try {
        // Only a certificate's lock is fenced (a TXT name's and a state lock have no fence).
        const name = f.slice(0, -'.lock'.length);
        if (!name.startsWith('_')) await bumpToken(this.fencePath(name));
      } finally {
        await lease[Symbol.asyncDispose]();
      }
      removed.push(`locks/${f}`);
    }
    return removed;
  }

  /**
   * The certificates the sweep cleans under their locks. From the index when this process did not
   * just build it: the rows a save marked and did not finish (killed or failed) and those found out
   * of step with the files at open; otherwise (a new or rebuilt index, or none) every certificate is
   * checked from its files (certificatesWithDebris, once per directory and a few calls per certificate).
   */
  private async suspects(signal: AbortSignal): Promise<string[]> {
    const index = await this.index();
    if (index && !this.indexFilled) return [...new Set([...index.marked(), ...this.indexRefreshed])].sort();
    const certificates = await fs.readdir(path.join(this.root, 'archive')).catch(() => [] as string[]);
    return certificatesWithDebris(this.root, certificates, signal);
  }

  /**
   * A per-certificate lock across processes. Taken over at once when its owner is dead (same
   * host: PID and start time), or when its heartbeat stopped `staleLockMs` ago; of several
   * contenders exactly one wins (lock-file.ts). The lease's `signal` fires if it is lost.
   */
  async lock(name: string, signal: AbortSignal): Promise<Lease> {
    return (await this.acquire(name, true, signal))!;
  }

  tryLock(name: string, signal: AbortSignal): Promise<Lease | undefined> {
    return this.acquire(name, false, signal);
  }

  private async acquire(name: string, wait: boolean, signal: AbortSignal): Promise<Lease | undefined> {
    const file = this.lockPath(name);
    const held = await acquireLock(file, { staleMs: this.staleLockMs, heartbeatMs: this.heartbeatMs, wait }, signal);
    if (!held) return undefined;
    // A TXT name's lock only keeps two writers of one record set apart: nothing in the store is
    // written under it (a DNS write cannot be fenced), so it gets no fencing token (token 0) and
    // its grant no fence file, write and fsync.
    if (isTxtLock(name)) return new FileLease(file, 0n, held, undefined, () => Promise.resolve());
    let fence: Fence | undefined;
    try {
      fence = await Fence.open(this.fencePath(name));
      return new FileLease(file, await fence.bump(), held, fence, (lease) => this.putLeased(name, lease));
    } catch (err) {
      await fence?.close();
      await held[Symbol.asyncDispose]();
      throw err;
    }
  }

  /**
   * STORE_FENCED unless `lease` is this store's live grant of `name`'s lock and no later grant
   * exists. A check, then the write: a holder that stalls between the two is fenced at its next write.
   */
  private assertCurrent(lease: Lease, name: string, what: string): void {
    const held = this.leaseOf(lease, name, what);
    // The lock path still names this holding (a takeover by any certfleet changes it), and no
    // later grant bumped the token.
    const newest = held.newestToken();
    const owner = lockGeneration(held.lockFile);
    if (newest !== lease.token) throw fenced(what, name, `is stale (token ${lease.token}; the lock was granted again since, token ${newest})`);
    if (owner !== held.held.generation) throw fenced(what, name, `is stale (the lock ${owner ? 'was taken over' : 'is no longer held'})`);
  }

  /** `lease` as this store's grant of `name`'s lock that was neither released nor lost, or STORE_FENCED. */
  private leaseOf(lease: Lease, name: string, what: string): FileLease {
    if (!(lease instanceof FileLease) || lease.lockFile !== this.lockPath(name)) throw fenced(what, name, `is not one of ${name}'s lock in this store`);
    const unusable = lease.unusable();
    if (unusable) throw fenced(what, name, unusable);
    return lease;
  }

  /**
   * Serialises every writer of one TXT name across processes: an apex and its wildcard in two
   * certificates share `_acme-challenge.<apex>`, and providers that replace a whole record set
   * (PowerDNS) would otherwise lose each other's values. Keys start with "_", which no
   * certificate name can, so they never collide with certificate locks.
   */
  lockTxtName(fqdn: string, signal: AbortSignal): Promise<Lease> {
    return this.lock(`${TXT_LOCK}${fqdn.toLowerCase().replace(/\.$/, '')}`, signal);
  }

  /** Account state for one issuer key (CA + account): never shared between staging and production. */
  async readAccount(issuerKey: string, signal: AbortSignal): Promise<{ keyPem: string; url?: string } | undefined> {
    signal.throwIfAborted();
    const dir = this.accountDir(issuerKey);
    try {
      const stored = await fs.readFile(path.join(dir, 'private_key.pem'), 'utf8');
      const keyPem = this.openSecret(stored, `account key ${issuerKey}`);
      // A key written before encryption was turned on is encrypted the first time it is read.
      if (this.cipher && !StateCipher.isEncrypted(stored)) await writeFileAtomic(path.join(dir, 'private_key.pem'), this.cipher.encrypt(keyPem, `account key ${issuerKey}`), 0o600);
      const url = await fs.readFile(path.join(dir, 'account.json'), 'utf8').then((t) => (JSON.parse(t) as { url: string }).url, () => undefined);
      return url === undefined ? { keyPem } : { keyPem, url };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async writeAccount(issuerKey: string, data: { keyPem?: string; url?: string }, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const dir = this.accountDir(issuerKey);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (data.keyPem) await writeFileAtomic(path.join(dir, 'private_key.pem'), this.cipher ? this.cipher.encrypt(data.keyPem, `account key ${issuerKey}`) : data.keyPem, 0o600, true);
    if (data.url) await writeFileAtomic(path.join(dir, 'account.json'), `${JSON.stringify({ url: data.url })}\n`, 0o600);
  }

  readPace(issuerKey: string, signal: AbortSignal): Promise<string | undefined> {
    return this.readAccountFile(issuerKey, PACE_FILE, signal);
  }

  writePace(issuerKey: string, json: string, signal: AbortSignal): Promise<void> {
    return this.writeAccountFile(issuerKey, PACE_FILE, json, signal);
  }

  readIssuerCertificate(issuerKey: string, signal: AbortSignal): Promise<string | undefined> {
    return this.readAccountFile(issuerKey, ISSUER_CERTIFICATE_FILE, signal);
  }

  writeIssuerCertificate(issuerKey: string, pem: string, signal: AbortSignal): Promise<void> {
    return this.writeAccountFile(issuerKey, ISSUER_CERTIFICATE_FILE, pem, signal);
  }

  /** A public file beside an account: absent is undefined, any other failure is STORE_IO. */
  private async readAccountFile(issuerKey: string, file: string, signal: AbortSignal): Promise<string | undefined> {
    signal.throwIfAborted();
    const where = path.join(this.accountDir(issuerKey), file);
    try {
      return await fs.readFile(where, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw pathError('read', where, err);
    }
  }

  private async writeAccountFile(issuerKey: string, file: string, content: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const dir = this.accountDir(issuerKey);
    const where = path.join(dir, file);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(where, content, 0o644);
    } catch (err) {
      throw pathError('write', where, err);
    }
  }

  /** Re-encrypts every account key under `next` (certfleet rotate-store-key); returns how many. */
  async rotateKey(next: StateCipher, signal: AbortSignal): Promise<number> {
    const base = path.join(this.root, 'accounts');
    const ids = await fs.readdir(base).catch(() => [] as string[]);
    const plain = await Promise.all(ids.map(async (id) => ({ id, pem: (await this.readAccount(id, signal))?.keyPem })));
    for (const { id, pem } of plain) {
      signal.throwIfAborted();
      if (pem) await writeFileAtomic(path.join(base, id, 'private_key.pem'), next.encrypt(pem, `account key ${id}`), 0o600);
    }
    return plain.filter((p) => p.pem).length;
  }

  private openSecret(stored: string, role: string): string {
    if (!StateCipher.isEncrypted(stored)) return stored;
    if (!this.cipher) throw new CertfleetError('STORE_KEY', `${role} is encrypted: give the store key (store.encryption_key_file or CERTFLEET_STORE_KEY)`);
    return this.cipher.decrypt(stored, role);
  }

  /**
   * Schedule state (failures, ARI window, last result): state/<name>.json, `{version, state}`.
   * A file written before versions (the bare state) reads as version 1.
   */
  async readState(name: string, signal: AbortSignal): Promise<VersionedState> {
    signal.throwIfAborted();
    const indexed = (await this.index())?.state(name);
    if (indexed === null) return { state: EMPTY_STATE, version: 0 };
    return indexed ?? this.readStateFromFile(name, signal);
  }

  /**
   * From the index, a page at a time (rows it is not sure of from their files). Opening it
   * filled a row for every name with files, so every stored certificate is in it.
   */
  async *schedules(signal: AbortSignal, only?: (name: string) => boolean): AsyncIterable<readonly StoredSchedule[]> {
    const index = await this.index();
    for (let after = ''; ;) {
      signal.throwIfAborted();
      const rows = index?.page(after, SCHEDULE_PAGE, only);
      // No index (turned off, unusable, or found damaged meanwhile and removed): the rest from the files.
      if (!rows) {
        yield* this.schedulesFromFiles(after, signal, only);
        return;
      }
      const page: StoredSchedule[] = [];
      for (const row of rows.rows) {
        const meta = row.meta === undefined ? await this.readMetaFromFiles(row.name, signal) : row.meta ?? undefined;
        const state = row.state === undefined ? await this.readStateFromFile(row.name, signal) : row.state ?? { state: EMPTY_STATE, version: 0 };
        // A row left by a name whose files are gone (removed by hand since the open) is no certificate.
        if (meta !== undefined || state.version > 0) page.push({ name: row.name, meta, state });
      }
      if (page.length > 0) yield page;
      if (rows.read < SCHEDULE_PAGE) return;
      after = rows.last;
    }
  }

  /** renewal/ and state/ read per name, for the names after `after`, a page at a time. */
  private async *schedulesFromFiles(after: string, signal: AbortSignal, only: (name: string) => boolean = () => true): AsyncIterable<readonly StoredSchedule[]> {
    const names = [...new Set([...await this.jsonNames('renewal'), ...await this.jsonNames('state')])].filter((n) => n > after && only(n));
    for (let i = 0; i < names.length; i += SCHEDULE_PAGE) {
      const page: StoredSchedule[] = [];
      for (const name of names.slice(i, i + SCHEDULE_PAGE)) page.push({ name, meta: await this.readMetaFromFiles(name, signal), state: await this.readStateFromFile(name, signal) });
      yield page;
    }
  }

  private readStateFromFile(name: string, signal: AbortSignal): Promise<VersionedState> {
    return Promise.resolve().then(() => this.stateFromFile(name, signal));
  }

  private stateFromFile(name: string, signal: AbortSignal): VersionedState {
    signal.throwIfAborted();
    let parsed: unknown;
    try {
      // Synchronous: a small file, read under the state lock at every write (a thread-pool round trip costs about 20 times the CPU).
      parsed = JSON.parse(readFileSync(this.statePath(name), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: EMPTY_STATE, version: 0 };
      throw new CertfleetError('STORE_IO', `cannot read schedule state of certificate ${name}: ${errorMessage(err)}`, { cause: err });
    }
    const stored = parsed as Partial<VersionedState>;
    if (typeof stored.version === 'number' && typeof stored.state === 'object' && stored.state !== null) return { state: stored.state, version: stored.version };
    return { state: parsed as RenewalState, version: 1 };
  }

  /**
   * Under the lease (STORE_FENCED when stale) or by compare-and-set (STORE_CONFLICT). The check
   * and the rename run under a short per-name state lock, so two writers never both pass the
   * check of one version; it is separate from the certificate's lock, which an issuance holds for
   * minutes while a compare-and-set writer must not wait that long. Under a lease the state lock is
   * a second name of the lease's lock file (acquireLinkedLock: no file of its own is created).
   */
  async writeState(name: string, state: RenewalState, guard: { lease: Lease } | { expectedVersion: number }, signal: AbortSignal): Promise<VersionedState> {
    const serialFile = this.lockPath(`_state.${name}`);
    const lockOpts = { staleMs: this.staleLockMs, heartbeatMs: this.heartbeatMs };
    await using _serial = 'lease' in guard
      ? await acquireLinkedLock(serialFile, this.leaseOf(guard.lease, name, 'state write').held, lockOpts, signal)
      : (await acquireLock(serialFile, lockOpts, signal))!;
    if ('lease' in guard) this.assertCurrent(guard.lease, name, 'state write');
    // From the file: under this lock it is the truth, and the index may be behind it.
    const current = await this.readStateFromFile(name, signal);
    if ('expectedVersion' in guard && current.version !== guard.expectedVersion) {
      throw new CertfleetError('STORE_CONFLICT', `state write of ${name} refused: expected version ${guard.expectedVersion}, the state is at version ${current.version}; read it again and retry`, { retryable: true });
    }
    const next: VersionedState = { state, version: current.version + 1 };
    const file = this.statePath(name);
    const index = await this.index();
    try {
      // Until the new state is in place, the index sends readers to the file: under a lease, until
      // the lease ends (markLeased); a compare-and-set write marks and puts its own row.
      if ('lease' in guard) this.markLeased(index, guard.lease, name);
      else index?.markState(name);
      const text = `${JSON.stringify(next, null, 2)}\n`;
      // state/ is made when the first write finds it missing, not before every write.
      await writeFileAtomic(file, text, 0o600).catch(async (err: unknown) => {
        if (((err as CertfleetError).cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') throw err;
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await writeFileAtomic(file, text, 0o600);
      });
    } catch (err) {
      throw pathError('write', file, err);
    }
    if (!('lease' in guard)) putIndexed(() => index?.putState(name, next));
    return next;
  }

  /**
   * Before the first write of `lease` (assertCurrent passed): marks its row for the rest of the
   * lease (StoreIndex.markLease); a failure stops the write, as any failed mark did.
   */
  private markLeased(index: StoreIndex | undefined, lease: Lease, name: string): void {
    const held = this.leaseOf(lease, name, 'write');
    if (!index || held.indexMarked) return;
    index.markLease(name);
    held.indexMarked = true;
  }

  /**
   * At the end of a lease that marked its row: the metadata and state the files hold now, read and
   * put under the state lock (no compare-and-set writer is between its file and its row then), and
   * only while the lease is still the newest grant (a successor's mark is its own to clear). Any
   * failure leaves the marks: readers keep reading the files, which hold the values.
   */
  private async putLeased(name: string, lease: FileLease): Promise<void> {
    if (!lease.indexMarked || lease.saveUnfinished || lease.held.signal.aborted) return;
    // A release must not wait long for a compare-and-set writer's state lock: the marks can stay.
    const deadline = timeoutSignal(PUT_LEASED_WAIT_MS);
    const signal = deadline.signal;
    try {
      const index = await this.index();
      if (!index) return;
      await using _serial = await acquireLinkedLock(this.lockPath(`_state.${name}`), lease.held, { staleMs: this.staleLockMs, heartbeatMs: this.heartbeatMs }, signal);
      if (lease.newestToken() !== lease.token || lockGeneration(lease.lockFile) !== lease.held.generation) return;
      index.putLease(name, await this.metaFromFilesNow(name), this.stateFromFile(name, signal));
    } catch {
      // The marks stay: see above.
    } finally {
      deadline.clear();
    }
  }

  /** What would stop a save, found before anything is asked of the CA (preflight-save.ts). */
  preflight(name: string, signal: AbortSignal): Promise<void> {
    return preflightSave(this.root, name, signal);
  }

  /** Whether the store directory can be written (readiness). */
  async writable(signal: AbortSignal): Promise<boolean> {
    try {
      signal.throwIfAborted();
      await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
      await fs.access(this.root, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  private statePath(name: string): string {
    return path.join(this.root, 'state', `${name}.json`);
  }

  private metaPath(name: string): string {
    return path.join(this.root, 'renewal', `${name}.json`);
  }

  private lockPath(name: string): string {
    return path.join(this.root, 'locks', `${name}.lock`);
  }

  private fencePath(name: string): string {
    return path.join(this.root, 'fences', name);
  }

  private accountDir(issuerKey: string): string {
    return path.join(this.root, 'accounts', issuerKey);
  }
}

/** A metadata file's content (`read` may be synchronous); absent is undefined, anything else STORE_IO. */
async function metaJson(read: () => string | Promise<string>, name: string): Promise<CertificateMeta | undefined> {
  try {
    return JSON.parse(await read()) as CertificateMeta;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CertfleetError('STORE_IO', `cannot read metadata of certificate ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The lock names of TXT names (lockTxtName): no certificate name starts with "_". */
const TXT_LOCK = '_txt.';

function isTxtLock(name: string): boolean {
  return name.startsWith(TXT_LOCK);
}

/** STORE_FENCED: `what` (a save, a state write) of `name` was refused because of its lease. */
function fenced(what: string, name: string, why: string): CertfleetError {
  return new CertfleetError('STORE_FENCED', `${what} of ${name} refused: the lease ${why}; nothing was written`);
}

/**
 * A value written to the index after the files: a failure (a busy or full disk) leaves its
 * pending mark, so readers keep reading the files, which hold the value; nothing is lost.
 */
function putIndexed(put: () => void): void {
  try {
    put();
  } catch {
    // The mark stays: see above.
  }
}
