import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { finishSwitch, layoutAccessPaths, livePaths, writeDerivedFile, writeVersion } from './certbot-layout.js';
import type { CertificatePaths, LocalCertificateDirectory, StoredCertificate } from './certificate-store.js';
import { acquireLock } from './lock-file.js';
import { cleanCertificateDebris, versionsPresent } from './store-debris.js';

export interface LiveDirectoryOptions {
  root: string;
  /** Temp files older than this are debris even when their writer's liveness cannot be checked. */
  tempAgeMs?: number;
}

/**
 * A fleet host's copy of the certificates (`store.path` when the store is shared): `live/<name>/`
 * in certbot's layout, written atomically as the directory store writes its own (certbot-layout.ts).
 * The store of record is elsewhere, so this keeps no metadata: a version whose files are already
 * live is not written again, and whatever a killed write left above the live version is debris.
 */
export class LiveDirectory implements LocalCertificateDirectory {
  readonly root: string;
  private readonly tempAgeMs: number;

  constructor(opts: LiveDirectoryOptions) {
    this.root = path.resolve(opts.root);
    this.tempAgeMs = opts.tempAgeMs ?? 10 * 60_000;
  }

  paths(name: string): CertificatePaths {
    return livePaths(this.root, name);
  }

  /**
   * Writes `cert` as `name`'s live version unless it already is (same certificate and key), under
   * a lock file per name (another certfleet process on this host, a one-shot `issue`, may write
   * it too). The local version number follows the store's when it can, so `archive/<name>/cert3.pem`
   * is the store's version 3.
   */
  async write(cert: StoredCertificate, signal: AbortSignal): Promise<CertificatePaths> {
    const name = cert.meta.name;
    if (await this.shows(cert)) return this.paths(name);
    const lock = await acquireLock(path.join(this.root, 'locks', `${name}.lock`), { staleMs: 60_000, heartbeatMs: 10_000 }, signal);
    await using _held = lock!;
    if (await this.shows(cert)) return this.paths(name);
    try {
      const current = await cleanCertificateDebris(this.root, name, { tempAgeMs: this.tempAgeMs }, signal);
      const version = Math.max(cert.meta.version, current + 1, ...(await versionsPresent(this.root, name)).map((v) => v + 1));
      await writeVersion(this.root, name, version, cert.pem, {}, signal);
      await finishSwitch(this.root, name, version);
    } catch (err) {
      if (err instanceof CertfleetError) throw err;
      throw new CertfleetError('STORE_IO', `cannot write ${name} to ${this.root}/live: ${errorMessage(err)}`, { cause: err });
    }
    return this.paths(name);
  }

  /** Whether live/<name> serves exactly this certificate and key (read inside one version directory). */
  private async shows(cert: StoredCertificate): Promise<boolean> {
    let dir: string;
    try {
      dir = await fs.realpath(path.join(this.root, 'live', cert.meta.name));
    } catch {
      return false;
    }
    const read = (f: string) => fs.readFile(path.join(dir, f), 'utf8').catch(() => undefined);
    const [c, k, full, chain] = await Promise.all([read('cert.pem'), read('privkey.pem'), read('fullchain.pem'), read('chain.pem')]);
    return c === cert.pem.cert && k === cert.pem.privkey && full === cert.pem.fullchain && chain === cert.pem.chain;
  }

  accessPaths(name: string, signal: AbortSignal): Promise<{ dirs: string[]; files: string[] }> {
    return layoutAccessPaths(this.root, name, signal);
  }

  writeDerived(name: string, file: string, data: Buffer, mode: number, signal: AbortSignal): Promise<string> {
    return writeDerivedFile(this.root, name, file, data, mode, signal);
  }
}
