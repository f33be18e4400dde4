import { CertfleetError } from '../../src/errors.js';
import { EMPTY_STATE, type RenewalState } from '../../src/scheduler/renewal-policy.js';
import type { AccountStore, CertificateStore, Lease, NewCertificate, StoredSchedule, VersionedState } from '../../src/store/certificate-store.js';
import type { CertificateMeta, CertificatePaths, StoredCertificate } from '../../src/store/certificate-store.js';

/**
 * An in-memory CertificateStore and AccountStore for pipeline unit tests: fenced leases (a lease
 * can be taken away with `loseLease`), versioned state, and a `failSave` switch. Records what
 * was saved and every state write.
 */
export class FakeCertificateStore implements CertificateStore, AccountStore {
  readonly certs = new Map<string, StoredCertificate>();
  readonly states = new Map<string, VersionedState>();
  readonly saves: NewCertificate[] = [];
  readonly stateWrites: { name: string; state: RenewalState; guard: 'lease' | 'version' }[] = [];
  failSave: Error | undefined;
  private readonly tokens = new Map<string, bigint>();
  private readonly held = new Map<string, { release: Promise<void>; lost: AbortController }>();
  private readonly accounts = new Map<string, { keyPem: string; url?: string }>();
  private readonly files = new Map<string, string>();

  load(name: string, signal?: AbortSignal): Promise<StoredCertificate | undefined> {
    signal?.throwIfAborted();
    return Promise.resolve(this.certs.get(name));
  }

  readMeta(name: string): Promise<CertificateMeta | undefined> {
    return Promise.resolve(this.certs.get(name)?.meta);
  }

  list(): Promise<CertificateMeta[]> {
    return Promise.resolve([...this.certs.values()].map((c) => c.meta));
  }

  async *schedules(): AsyncIterable<readonly StoredSchedule[]> {
    // A page per name: callers must not depend on a page's size.
    for (const name of new Set([...this.certs.keys(), ...this.states.keys()])) {
      yield [await Promise.resolve({ name, meta: this.certs.get(name)?.meta, state: this.states.get(name) ?? { state: EMPTY_STATE, version: 0 } })];
    }
  }

  save(cert: NewCertificate, lease: Lease, signal?: AbortSignal): Promise<CertificateMeta> {
    signal?.throwIfAborted();
    this.fence(cert.meta.name, lease);
    if (this.failSave) return Promise.reject(this.failSave);
    const meta = { ...cert.meta, version: (this.certs.get(cert.meta.name)?.meta.version ?? 0) + 1 };
    this.saves.push(cert);
    this.certs.set(meta.name, { meta, pem: cert.pem });
    return Promise.resolve(meta);
  }

  /** Waits while another holder has the name (lock contention), then grants a newer token. */
  async lock(name: string, signal: AbortSignal): Promise<Lease> {
    for (let h = this.held.get(name); h; h = this.held.get(name)) {
      await Promise.race([h.release, new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }))]);
    }
    const token = (this.tokens.get(name) ?? 0n) + 1n;
    this.tokens.set(name, token);
    const lost = new AbortController();
    let done!: () => void;
    const entry = { release: new Promise<void>((r) => { done = r; }), lost };
    this.held.set(name, entry);
    const release = () => {
      if (this.held.get(name) === entry) this.held.delete(name);
      done();
      return Promise.resolve();
    };
    return { token, signal: lost.signal, release, [Symbol.asyncDispose]: release };
  }

  tryLock(name: string, signal: AbortSignal): Promise<Lease | undefined> {
    return this.held.has(name) ? Promise.resolve(undefined) : this.lock(name, signal);
  }

  lockTxtName(fqdn: string, signal: AbortSignal): Promise<Lease> {
    return this.lock(`_txt.${fqdn}`, signal);
  }

  /** Another process takes the lock over: the holder's lease fires and its token goes stale. */
  loseLease(name: string): void {
    this.tokens.set(name, (this.tokens.get(name) ?? 0n) + 1n);
    this.held.get(name)?.lost.abort(new CertfleetError('STORE_LOCKED', `lock of ${name} taken over`));
  }

  isLocked(name: string): boolean {
    return this.held.has(name);
  }

  readState(name: string, signal?: AbortSignal): Promise<VersionedState> {
    signal?.throwIfAborted();
    return Promise.resolve(this.states.get(name) ?? { state: EMPTY_STATE, version: 0 });
  }

  writeState(name: string, state: RenewalState, guard: { lease: Lease } | { expectedVersion: number }, signal?: AbortSignal): Promise<VersionedState> {
    signal?.throwIfAborted();
    const current = this.states.get(name)?.version ?? 0;
    if ('lease' in guard) this.fence(name, guard.lease);
    else if (guard.expectedVersion !== current) return Promise.reject(new CertfleetError('STORE_CONFLICT', `state of ${name} changed meanwhile`));
    const next = { state, version: current + 1 };
    this.states.set(name, next);
    this.stateWrites.push({ name, state, guard: 'lease' in guard ? 'lease' : 'version' });
    return Promise.resolve(next);
  }

  preflight(): Promise<void> {
    return Promise.resolve();
  }

  sweep(): Promise<string[]> {
    return Promise.resolve([]);
  }

  writable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  readAccount(key: string): Promise<{ keyPem: string; url?: string } | undefined> {
    return Promise.resolve(this.accounts.get(key));
  }

  writeAccount(key: string, data: { keyPem?: string; url?: string }): Promise<void> {
    this.accounts.set(key, { ...this.accounts.get(key), ...data } as { keyPem: string; url?: string });
    return Promise.resolve();
  }

  readPace(key: string): Promise<string | undefined> {
    return Promise.resolve(this.files.get(`${key}/pace`));
  }

  writePace(key: string, json: string): Promise<void> {
    this.files.set(`${key}/pace`, json);
    return Promise.resolve();
  }

  readIssuerCertificate(key: string): Promise<string | undefined> {
    return Promise.resolve(this.files.get(`${key}/ca`));
  }

  writeIssuerCertificate(key: string, pem: string): Promise<void> {
    this.files.set(`${key}/ca`, pem);
    return Promise.resolve();
  }

  /** The live paths a directory store would have (nothing is written there). */
  paths(name: string): CertificatePaths {
    const liveDir = `/fake/live/${name}`;
    return { liveDir, cert: `${liveDir}/cert.pem`, chain: `${liveDir}/chain.pem`, fullchain: `${liveDir}/fullchain.pem`, privkey: `${liveDir}/privkey.pem` };
  }

  private fence(name: string, lease: Lease): void {
    if (lease.token !== this.tokens.get(name)) throw new CertfleetError('STORE_FENCED', `stale lease of ${name}`);
  }
}
