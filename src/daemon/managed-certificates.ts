import { validateCertificateEntry } from '../config/certificate-entry.js';
import { certificateName, type CertificateConfig, type Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { readStatuses, type CertificateStatus, type StatusSource } from '../scheduler/certificate-status.js';
import type { AddResult, Caller, CertificateBackend, CertificateView, ListFilter, RemoveResult } from '../server/api-backend.js';
import type { ManagedCertificate, ManagedCertificateStore } from '../store/managed-certificates.js';
import { stableDigest } from './stable-digest.js';

export interface ManagedCertificatesOptions {
  /** Where the specs are kept: the current pipeline's store (a reload may replace it). */
  store: () => ManagedCertificateStore;
  /** Where statuses are read (the certificate store). */
  status: () => StatusSource;
  config: () => Config;
  /** `name`'s spec changed outside the config file: the daemon reschedules that name alone. */
  changed: (name: string) => void;
  log: Logger;
  now?: () => number;
}

interface Entry { record: ManagedCertificate; certificate?: CertificateConfig; problem?: string }

/**
 * The daemon's certificate set: the config file's ∪ the managed ones (the API's, persisted in the
 * store). On a name in both the file wins, and the conflict is reported (API rows, /readyz). A
 * stored spec is validated again against each config (a provider it names may be gone): one
 * that no longer fits is reported and not scheduled.
 */
interface Validated { config: Config; providers: string; fileNames?: Set<string> }

export class ManagedCertificates implements CertificateBackend {
  private readonly entries = new Map<string, Entry>();
  /** The config the entries were validated against, the digest of its providers, and its file's names once asked for (not at every edit). */
  private validatedFor: Validated | undefined;
  private readonly log: Logger;

  constructor(private readonly o: ManagedCertificatesOptions) {
    this.log = o.log.child({ component: 'api' });
  }

  /** Reads every stored spec (at start, and when another fleet host changed some). */
  async load(signal: AbortSignal): Promise<void> {
    const records = await this.o.store().listManaged(signal);
    this.entries.clear();
    for (const r of records) this.entries.set(r.name, { record: r });
    this.validatedFor = undefined;
  }

  /** The names of every stored spec (after load: the daemon schedules each). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Another host changed `name` (fleet mode's managedChanged): read it again and reschedule it alone. */
  async reread(name: string, signal: AbortSignal): Promise<void> {
    const r = await this.o.store().getManaged(name, signal);
    if (r) this.entries.set(name, this.validated({ record: r }, this.current().config));
    else this.entries.delete(name);
    this.o.changed(name);
  }

  /** The config file's certificates and the managed ones the file does not also name. */
  merged(config: Config): Config['certificates'] {
    this.current(config);
    if (this.entries.size === 0) return config.certificates;
    const fileNames = this.fileNames(config);
    const managed = [...this.entries.values()].flatMap((e) => (e.certificate && !fileNames.has(e.record.name) ? [e.certificate] : []));
    return managed.length ? [...config.certificates, ...managed] : config.certificates;
  }

  /** What the daemon schedules under `name`: the file's spec when it has one (the file wins). */
  specOf(name: string, config: Config): Config['certificates'][number] | undefined {
    if (this.fileNames(config).has(name)) return config.certificates.find((c) => certificateName(c) === name);
    return this.entries.get(name)?.certificate;
  }

  /** Managed names the config file also has (the file's spec is used), and stored specs that no longer validate. */
  report(): { conflicts: string[]; invalid: Record<string, string> } {
    if (this.entries.size === 0) return { conflicts: [], invalid: {} };
    const fileNames = this.fileNames();
    const invalid: Record<string, string> = {};
    for (const [name, e] of this.entries) if (e.problem) invalid[name] = e.problem;
    return { conflicts: [...this.entries.keys()].filter((n) => fileNames.has(n)), invalid };
  }

  /** /readyz's details: only when there is something to say (conflicts do not make the daemon unready). */
  details(): Record<string, unknown> | undefined {
    const r = this.report();
    return r.conflicts.length || Object.keys(r.invalid).length ? { managed: r } : undefined;
  }

  async add(entry: unknown, caller: Caller, signal: AbortSignal): Promise<AddResult> {
    const { config } = this.current();
    const fileNames = this.fileNames(config);
    const v = validateCertificateEntry(entry, config);
    if (!v.ok) return { kind: 'invalid', problems: v.problems };
    if (fileNames.has(v.name)) return { kind: 'conflict', detail: `the config file has a certificate named ${JSON.stringify(v.name)} (the file wins); choose another name` };
    const before = this.entries.get(v.name);
    // Compared as validated (defaults filled in, domains normalized): the same certificate spelt otherwise is unchanged.
    if (before?.certificate && digest(before.certificate) === digest(v.certificate)) return { kind: 'unchanged', certificate: await this.view(v.name, signal) ?? { name: v.name } };
    if (before?.certificate) {
      return { kind: 'conflict', detail: `a certificate named ${JSON.stringify(v.name)} exists with a different spec; DELETE /v1/certificates/${v.name} first to replace it` };
    }
    const result = await this.o.store().putManaged(v.name, { ...(entry as Record<string, unknown>), name: v.name }, signal);
    const record = await this.o.store().getManaged(v.name, signal);
    if (record) this.entries.set(v.name, { record, certificate: v.certificate });
    if (result !== 'unchanged') {
      this.log.info({ audit: true, action: result === 'created' ? 'add' : 'replace', cert: v.name, peer: caller.peer }, 'api_change');
      this.o.changed(v.name);
    }
    return { kind: result, certificate: await this.view(v.name, signal) ?? { name: v.name } };
  }

  async remove(name: string, caller: Caller, signal: AbortSignal): Promise<RemoveResult> {
    const fileNames = this.fileNames();
    const removed = await this.o.store().deleteManaged(name, signal);
    this.entries.delete(name);
    if (!removed) return fileNames.has(name) ? { kind: 'conflict', detail: `${JSON.stringify(name)} is in the config file: remove it there` } : { kind: 'not_found' };
    this.log.info({ audit: true, action: 'remove', cert: name, peer: caller.peer }, 'api_change');
    this.o.changed(name);
    return { kind: 'removed' };
  }

  get(name: string, signal: AbortSignal): Promise<CertificateView | undefined> {
    return this.view(name, signal);
  }

  async list(filter: ListFilter, signal: AbortSignal): Promise<CertificateView[]> {
    const config = this.current().config;
    const certificates = this.merged(config);
    const now = this.o.now?.() ?? Date.now();
    const statuses = await readStatuses({ ...config, certificates }, this.o.status(), now, signal);
    const rows = certificates.map((c, i) => this.row(c, statuses[i]!));
    const withinMs = filter.withinMs ?? 30 * 86_400_000;
    if (filter.status === 'failing') return rows.filter((r) => r.lastResult === 'failed');
    if (filter.status === 'expiring' || filter.withinMs !== undefined) return rows.filter((r) => typeof r.notAfter !== 'string' || Date.parse(r.notAfter) - now < withinMs);
    return rows;
  }

  private async view(name: string, signal: AbortSignal): Promise<CertificateView | undefined> {
    const config = this.current().config;
    const certificate = this.specOf(name, config);
    if (!certificate) {
      const e = this.entries.get(name);
      return e ? { name, source: 'api', spec: e.record.spec, invalid: e.problem ?? 'not scheduled' } : undefined;
    }
    const [status] = await readStatuses({ ...config, certificates: [certificate] }, this.o.status(), this.o.now?.() ?? Date.now(), signal);
    return this.row(certificate, status!);
  }

  private row(c: CertificateConfig | Config['certificates'][number], s: CertificateStatus): CertificateView {
    const name = certificateName(c);
    const e = this.entries.get(name);
    const fromFile = this.fileNames().has(name);
    return {
      name, domains: c.domains, dns: c.dns, source: fromFile ? 'file' : 'api',
      ...(fromFile && e ? { conflict: 'also added through the API; the config file\'s spec is used' } : {}),
      ...(e && !fromFile ? { createdAt: e.record.createdAt, updatedAt: e.record.updatedAt } : {}),
      notAfter: s.stored?.notAfter ?? null, nextRenewal: s.decision.due ? 'now' : new Date(s.dueAt).toISOString(),
      lastResult: s.last?.result ?? null, ...(s.last?.error ? { lastError: s.last.error } : {}),
    };
  }

  /** Entries validated against `config` (the current one by default), once per config. */
  private current(config: Config = this.o.config()): Validated {
    if (this.validatedFor?.config === config) return this.validatedFor;
    // A stored spec's validity depends on the config's providers only (certificate-entry.ts): an
    // edit that keeps them revalidates nothing (100,000 API certificates took seconds per edit).
    const providers = stableDigest(config.dns.providers);
    if (this.validatedFor?.providers === providers) {
      this.validatedFor = { config, providers };
      return this.validatedFor;
    }
    for (const [name, e] of this.entries) {
      const before = e.problem;
      const next = this.validated(e, config);
      this.entries.set(name, next);
      if (next.problem && next.problem !== before) this.log.error({ cert: name, problem: next.problem }, 'managed_certificate_invalid');
    }
    this.validatedFor = { config, providers };
    return this.validatedFor;
  }

  /** The config file's certificate names (the file wins a name over the API). */
  private fileNames(config: Config = this.o.config()): Set<string> {
    const v = this.current(config);
    return v.fileNames ??= new Set(config.certificates.map(certificateName));
  }

  private validated(e: Entry, config: Config): Entry {
    // The store keys the spec by its name: a spec without one is that name's.
    const v = validateCertificateEntry({ name: e.record.name, ...e.record.spec }, config);
    if (v.ok && v.name === e.record.name) return { record: e.record, certificate: v.certificate };
    const problem = v.ok ? `its spec names ${JSON.stringify(v.name)}` : v.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ');
    return { record: e.record, problem };
  }
}

/**
 * `config` with the API's certificates merged in, as the daemon schedules them, for commands that
 * read the store without a daemon (`certfleet list`); `conflicts` are the names both have.
 */
export async function withManaged(config: Config, store: ManagedCertificateStore, log: Logger, signal: AbortSignal): Promise<{ config: Config; conflicts: string[]; invalid: Record<string, string> }> {
  const managed = new ManagedCertificates({ store: () => store, status: () => ({ readMeta: () => Promise.resolve(undefined), readState: () => Promise.resolve({ state: { failures: 0 } }) }), config: () => config, changed: () => undefined, log });
  await managed.load(signal);
  return { config: { ...config, certificates: managed.merged(config) }, ...managed.report() };
}

function digest(c: CertificateConfig): string {
  return stableDigest(c);
}
