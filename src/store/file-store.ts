import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { sleep } from '../abort.js';
import { EMPTY_STATE, type RenewalState } from '../scheduler/renewal-policy.js';
import { StateCipher } from './state-cipher.js';

export const PEM_FILES = ['cert', 'chain', 'fullchain', 'privkey'] as const;
export type PemFile = (typeof PEM_FILES)[number];

export interface CertificateMeta {
  name: string;
  domains: string[];
  keyType: string;
  notBefore: string;
  notAfter: string;
  issuer: string;
  serial: string;
  account: string;
  orderUrl: string;
  version: number;
  issuedAt: string;
  /** RFC 9773 identifier, for renewalInfo and `replaces` (absent in metadata written before ARI). */
  ariCertId?: string;
  /** ACME directory that issued it (absent in metadata written before this field). */
  directory?: string;
}

export interface StoredCertificate {
  meta: CertificateMeta;
  pem: Record<PemFile, string>;
}

export type CertificatePaths = Record<PemFile, string> & { liveDir: string };

export interface FileStoreOptions {
  root: string;
  /** Encrypts certfleet's own secrets at rest (account keys); `live/` files stay readable by servers. */
  cipher?: StateCipher | undefined;
  /** Lock files untouched for this long belong to a dead process and are taken over. */
  staleLockMs?: number;
  heartbeatMs?: number;
}

/**
 * certbot's layout: live/<name>/{cert,chain,fullchain,privkey}.pem are relative
 * symlinks into archive/<name>/<file><N>.pem. live/<name> itself is a symlink to
 * a per-version directory of those links, swapped by one rename, so a reader
 * never sees a certificate from one version and a key from another.
 */
export class FileStore {
  readonly root: string;
  private readonly cipher: StateCipher | undefined;
  private readonly staleLockMs: number;
  private readonly heartbeatMs: number;

  constructor(opts: FileStoreOptions) {
    this.root = path.resolve(opts.root);
    this.cipher = opts.cipher;
    this.staleLockMs = opts.staleLockMs ?? 60_000;
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
  }

  liveDir(name: string): string {
    return path.join(this.root, 'live', name);
  }

  paths(name: string): CertificatePaths {
    const liveDir = this.liveDir(name);
    return {
      liveDir,
      cert: path.join(liveDir, 'cert.pem'),
      chain: path.join(liveDir, 'chain.pem'),
      fullchain: path.join(liveDir, 'fullchain.pem'),
      privkey: path.join(liveDir, 'privkey.pem'),
    };
  }

  async load(name: string): Promise<StoredCertificate | undefined> {
    const meta = await this.readMeta(name);
    if (!meta) return undefined;
    const p = this.paths(name);
    const pem = {} as Record<PemFile, string>;
    for (const f of PEM_FILES) pem[f] = await fs.readFile(p[f], 'utf8');
    return { meta, pem };
  }

  async readMeta(name: string): Promise<CertificateMeta | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.metaPath(name), 'utf8')) as CertificateMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CertfleetError('STORE_IO', `cannot read metadata of certificate ${name}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async list(): Promise<CertificateMeta[]> {
    let names: string[];
    try {
      names = (await fs.readdir(path.join(this.root, 'renewal'))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const metas = await Promise.all(names.sort().map((n) => this.readMeta(n)));
    return metas.filter((m): m is CertificateMeta => m !== undefined);
  }

  /** Writes a new version: every file or none; `live/` switches only once all are on disk. */
  async save(cert: { meta: Omit<CertificateMeta, 'version'>; pem: Record<PemFile, string> }): Promise<CertificatePaths> {
    const name = cert.meta.name;
    const archive = path.join(this.root, 'archive', name);
    const versions = path.join(this.root, 'live', '.versions', name);
    await Promise.all([archive, versions, path.join(this.root, 'renewal')].map((d) => fs.mkdir(d, { recursive: true, mode: 0o700 })));
    const version = await this.nextVersion(archive);
    const written: string[] = [];
    const versionDir = path.join(versions, String(version));
    try {
      // New names nothing points to yet: written in place (no temp file), in parallel, each
      // fsynced; then one fsync per directory before `live/` switches to them.
      const writes = await Promise.allSettled(PEM_FILES.map(async (f) => {
        const target = path.join(archive, `${f}${version}.pem`);
        await writeNewFile(target, cert.pem[f], f === 'privkey' ? 0o600 : 0o644);
        written.push(target);
      }));
      const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
      if (failed) throw failed.reason;
      await fs.mkdir(versionDir, { mode: 0o700 });
      await Promise.all(PEM_FILES.map((f) => fs.symlink(path.relative(versionDir, path.join(archive, `${f}${version}.pem`)), path.join(versionDir, `${f}.pem`))));
      await Promise.all([syncDir(archive), syncDir(versionDir), syncDir(versions)]);
      // One rename switches all four files at once.
      const tmpLink = path.join(this.root, 'live', `.${name}.${randomBytes(4).toString('hex')}`);
      await fs.symlink(path.relative(path.join(this.root, 'live'), versionDir), tmpLink);
      await this.replaceLive(tmpLink, name);
      await syncDir(path.join(this.root, 'live'));
    } catch (err) {
      await Promise.all(written.map((f) => fs.rm(f, { force: true })));
      await fs.rm(versionDir, { recursive: true, force: true });
      throw new CertfleetError('STORE_IO', `cannot save certificate ${name}: ${errorMessage(err)}`, { cause: err });
    }
    await Promise.all([
      writeFileAtomic(this.metaPath(name), `${JSON.stringify({ ...cert.meta, version }, null, 2)}\n`, 0o600),
      this.pruneVersionDirs(versions, version),
    ]);
    return this.paths(name);
  }

  /** A per-certificate lock across processes; a lock whose heartbeat stopped is taken over. */
  async lock(name: string, signal: AbortSignal): Promise<AsyncDisposable> {
    const dir = path.join(this.root, 'locks');
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${name}.lock`);
    const owner = `${hostname()} ${process.pid} ${randomBytes(6).toString('hex')}`;
    let wait = 20;
    for (;;) {
      signal.throwIfAborted();
      try {
        await fs.writeFile(file, owner, { flag: 'wx', mode: 0o600 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > this.staleLockMs) {
        // Take over by renaming: of several contenders only one rename succeeds.
        const moved = `${file}.stale.${randomBytes(4).toString('hex')}`;
        if (await fs.rename(file, moved).then(() => true, () => false)) await fs.rm(moved, { force: true });
        continue;
      }
      await sleep(wait, signal);
      wait = Math.min(wait * 2, 1000);
    }
    const heartbeat = setInterval(() => {
      const now = new Date();
      fs.utimes(file, now, now).catch(() => undefined);
    }, this.heartbeatMs);
    heartbeat.unref();
    return {
      [Symbol.asyncDispose]: async () => {
        clearInterval(heartbeat);
        const current = await fs.readFile(file, 'utf8').catch(() => '');
        if (current === owner) await fs.rm(file, { force: true });
      },
    };
  }

  /**
   * Serialises every writer of one TXT name across processes: an apex and its wildcard in two
   * certificates share `_acme-challenge.<apex>`, and providers that replace a whole record set
   * (PowerDNS) would otherwise lose each other's values. Keys start with "_", which no
   * certificate name can, so they never collide with certificate locks.
   */
  lockTxtName(fqdn: string, signal: AbortSignal): Promise<AsyncDisposable> {
    return this.lock(`_txt.${fqdn.toLowerCase().replace(/\.$/, '')}`, signal);
  }

  /** Account state for one issuer key (CA + account): never shared between staging and production. */
  async readAccount(issuerKey: string): Promise<{ keyPem: string; url?: string } | undefined> {
    const dir = path.join(this.root, 'accounts', issuerKey);
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

  async writeAccount(issuerKey: string, data: { keyPem?: string; url?: string }): Promise<void> {
    const dir = path.join(this.root, 'accounts', issuerKey);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (data.keyPem) await writeFileAtomic(path.join(dir, 'private_key.pem'), this.cipher ? this.cipher.encrypt(data.keyPem, `account key ${issuerKey}`) : data.keyPem, 0o600, true);
    if (data.url) await writeFileAtomic(path.join(dir, 'account.json'), `${JSON.stringify({ url: data.url })}\n`, 0o600);
  }

  /** A public file beside an account (the development CA's certificate, the CA's learned pace). */
  async readAccountFile(issuerKey: string, file: string): Promise<string | undefined> {
    return fs.readFile(path.join(this.root, 'accounts', issuerKey, file), 'utf8').catch(() => undefined);
  }

  async writeAccountFile(issuerKey: string, file: string, content: string): Promise<void> {
    await writeFileAtomic(path.join(this.root, 'accounts', issuerKey, file), content, 0o644);
  }

  /** Re-encrypts every account key under `next` (certfleet rotate-store-key); returns how many. */
  async rotateKey(next: StateCipher): Promise<number> {
    const base = path.join(this.root, 'accounts');
    const ids = await fs.readdir(base).catch(() => [] as string[]);
    const plain = await Promise.all(ids.map(async (id) => ({ id, pem: (await this.readAccount(id))?.keyPem })));
    for (const { id, pem } of plain) {
      if (pem) await writeFileAtomic(path.join(base, id, 'private_key.pem'), next.encrypt(pem, `account key ${id}`), 0o600);
    }
    return plain.filter((p) => p.pem).length;
  }

  private openSecret(stored: string, role: string): string {
    if (!StateCipher.isEncrypted(stored)) return stored;
    if (!this.cipher) throw new CertfleetError('STORE_KEY', `${role} is encrypted: give the store key (store.encryption_key_file or CERTFLEET_STORE_KEY)`);
    return this.cipher.decrypt(stored, role);
  }

  /** Schedule state (failures, ARI window, last result): state/<name>.json. */
  async readState(name: string): Promise<RenewalState> {
    try {
      return JSON.parse(await fs.readFile(this.statePath(name), 'utf8')) as RenewalState;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
      throw new CertfleetError('STORE_IO', `cannot read schedule state of certificate ${name}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async writeState(name: string, state: RenewalState): Promise<void> {
    await fs.mkdir(path.dirname(this.statePath(name)), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.statePath(name), `${JSON.stringify(state, null, 2)}\n`, 0o600);
  }

  /** Whether the store directory can be written (readiness). */
  async writable(): Promise<boolean> {
    try {
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

  private async nextVersion(archive: string): Promise<number> {
    const files = await fs.readdir(archive);
    const numbers = files.map((f) => /^cert(\d+)\.pem$/.exec(f)?.[1]).filter((n): n is string => n !== undefined).map(Number);
    return Math.max(0, ...numbers) + 1;
  }

  private async replaceLive(tmpLink: string, name: string): Promise<void> {
    const live = this.liveDir(name);
    const existing = await fs.lstat(live).catch(() => undefined);
    if (existing && !existing.isSymbolicLink()) {
      throw new Error(`${live} is a directory, not certfleet's link; move it away to let certfleet manage ${name}`);
    }
    await fs.rename(tmpLink, live);
  }

  /** Keeps the current and previous version directories (a reader may still be inside the previous one). */
  private async pruneVersionDirs(versions: string, current: number): Promise<void> {
    for (const d of await fs.readdir(versions)) {
      if (Number(d) < current - 1) await fs.rm(path.join(versions, d), { recursive: true, force: true });
    }
  }
}

/** Temp file in the same directory, fsync, rename, fsync the directory. */
export async function writeFileAtomic(file: string, data: string, mode: number, exclusive = false): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeNewFile(tmp, data, mode);
  try {
    if (exclusive) {
      await fs.link(tmp, file); // fails with EEXIST instead of replacing
      await fs.rm(tmp);
    } else {
      await fs.rename(tmp, file);
    }
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(file));
}

/** Creates a file that must not exist yet with exactly `mode`, and fsyncs it (not its directory). */
async function writeNewFile(file: string, data: string, mode: number): Promise<void> {
  const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // open() applies the umask; the mode must be exact
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync of a directory: its entries (new names, renames) survive a crash. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
