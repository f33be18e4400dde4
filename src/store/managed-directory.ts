import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { ManagedCertificate, ManagedCertificateStore } from './managed-certificates.js';
import { syncDirectory } from './sync-directory.js';

/** A lineage name as the schema allows it: never a path separator, never "..". */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface ManagedDirectoryOptions {
  /** The store's root; the specs live in `<root>/managed/<name>.json`. */
  root: string;
  /** A file that cannot be read as a managed certificate: reported, skipped, never fatal. */
  onCorrupt?: (file: string, problem: string) => void;
  now?: () => number;
}

/**
 * The directory store's ManagedCertificateStore: one JSON file per name, written like the rest of
 * the store (temp file, fsync, rename, fsync of the directory), so a crash leaves the old spec or
 * the new one. Writes of one name run one after another in this process; across processes the
 * rename makes the last writer win, which is what a repeated PUT means.
 */
export class ManagedDirectory implements ManagedCertificateStore {
  private readonly dir: string;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly o: ManagedDirectoryOptions) {
    this.dir = path.join(path.resolve(o.root), 'managed');
  }

  async listManaged(signal: AbortSignal): Promise<ManagedCertificate[]> {
    let files: string[];
    try {
      files = (await fs.readdir(this.dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError('list', this.dir, err);
    }
    const found: ManagedCertificate[] = [];
    for (const f of files.sort()) {
      signal.throwIfAborted();
      const m = await this.read(f.slice(0, -5), signal);
      if (m) found.push(m);
    }
    return found;
  }

  async getManaged(name: string, signal: AbortSignal): Promise<ManagedCertificate | undefined> {
    return NAME.test(name) && !name.includes('..') ? this.read(name, signal) : undefined;
  }

  putManaged(name: string, spec: Record<string, unknown>, signal: AbortSignal): Promise<'created' | 'replaced' | 'unchanged'> {
    return this.serial(name, async () => {
      const before = await this.read(checkedName(name), signal);
      if (before && canonical(before.spec) === canonical(spec)) return 'unchanged';
      const at = new Date(this.o.now?.() ?? Date.now()).toISOString();
      const next: ManagedCertificate = { name, spec, createdAt: before?.createdAt ?? at, updatedAt: at };
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => { throw ioError('create', this.dir, err); });
      await writeFileAtomic(this.file(name), `${JSON.stringify(next, null, 2)}\n`, 0o600, signal).catch((err: unknown) => { throw ioError('write', this.file(name), err); });
      return before ? 'replaced' : 'created';
    });
  }

  deleteManaged(name: string, signal: AbortSignal): Promise<boolean> {
    return this.serial(name, async () => {
      signal.throwIfAborted();
      try {
        await fs.unlink(this.file(checkedName(name)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw ioError('remove', this.file(name), err);
      }
      await syncDirectory(this.dir);
      return true;
    });
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.json`);
  }

  /** The managed certificate in `name`'s file; undefined when there is none or it is corrupt (reported). */
  private async read(name: string, signal: AbortSignal): Promise<ManagedCertificate | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file(name), { encoding: 'utf8', signal });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read', this.file(name), err);
    }
    try {
      const m = JSON.parse(text) as Partial<ManagedCertificate>;
      if (m.name !== name || !isRecord(m.spec) || typeof m.createdAt !== 'string' || typeof m.updatedAt !== 'string') throw new Error('expected {name, spec, createdAt, updatedAt} with the file\'s name');
      return { name, spec: m.spec, createdAt: m.createdAt, updatedAt: m.updatedAt };
    } catch (err) {
      this.o.onCorrupt?.(this.file(name), errorMessage(err));
      return undefined;
    }
  }

  private serial<T>(name: string, work: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(name) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    this.chains.set(name, tail);
    void tail.then(() => { if (this.chains.get(name) === tail) this.chains.delete(name); });
    return run;
  }
}

function checkedName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) throw new CertfleetError('STORE_IO', `managed certificate name ${JSON.stringify(name)}: expected letters, digits, ".", "_" or "-"`);
  return name;
}

function ioError(what: string, file: string, err: unknown): CertfleetError {
  return new CertfleetError('STORE_IO', `cannot ${what} ${file}: ${errorMessage(err)}`, { cause: err });
}

/** JSON with sorted keys: the same spec sent with its keys in another order is unchanged. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
