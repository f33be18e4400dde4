import type { AcmeClient } from '../acme/acme-client.js';
import { certificateName, type Config } from '../config/schema.js';
import { BatchingProvider } from '../dns/batching-provider.js';
import { providerFor } from '../dns/cname-chain.js';
import { createProvider } from '../dns/create-provider.js';
import type { DnsLookup } from '../dns/dns-lookup.js';
import type { DnsProvider } from '../dns/dns-provider.js';
import { DEFAULT_PROPAGATION } from '../dns/propagation.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import {
  ariCheckTime, decideRenewal, emergencyStart, recordAri, recordAriFailure, recordFailure, recordSuccess, type CertificateFacts, type Decision, type PendingTxt, type RenewalState,
} from '../scheduler/renewal-policy.js';
import type { CertificateMeta, CertificatePaths, FileStore } from '../store/file-store.js';
import type { CertificateEvent } from '../deploy/deploy-action.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import { accountFromConfig, savePace } from './account.js';
import type { DnsRoute } from './obtain-certificate.js';
import { PendingTxtLedger, removeLeftoverTxt } from './pending-txt.js';
import { StateUpdates } from './state-updates.js';

/** How long a failure to open the ACME account is answered from memory. */
const CLIENT_FAILURE_MEMORY_MS = 30_000;

export type CertificateSpec = Config['certificates'][number];

export interface RenewOutcome {
  name: string;
  result: 'issued' | 'renewed' | 'skipped' | 'failed';
  detail: string;
  paths?: CertificatePaths;
  ms?: number;
  /** When this certificate wants attention next (renewal, retry or ARI check), Unix ms. */
  next?: number;
  /** What each deploy action did, after an issuance or renewal. */
  deploy?: DeployResult[];
  /** The stored certificate's metadata as the pipeline last read it (new after a success). */
  meta?: CertificateMeta;
}

/** What the renewer reports, for metrics; every hook is optional. */
export interface RenewerHooks {
  onRequest?: (info: { method: string; url: string; status: number; ms: number }) => void;
  onPropagated?: (ms: number) => void;
  onOutcome?: (outcome: RenewOutcome, meta: CertificateMeta | undefined) => void;
  onDeploy?: (result: DeployResult) => void;
}

export interface RenewerDeps {
  config: Config;
  store: FileStore;
  lookup: DnsLookup;
  log: Logger;
  hooks?: RenewerHooks;
  now?: () => number;
  /** Budget for removing TXT records after an attempt, even an aborted one (shutdown must fit it). */
  cleanupTimeoutMs?: number;
}

/**
 * Runs the one pipeline for one certificate: ARI check when due, decide, lock, decide again
 * (another process may have just renewed it), obtain, record the schedule state. Holds what
 * the certificates of one config share: the ACME client (opened on first need), DNS providers.
 */
export class Renewer {
  private readonly providers = new Map<string, DnsProvider>();
  /** TXT cleanups still running after their certificate was reported; close() waits for them. */
  private readonly background = new Set<Promise<void>>();
  private clientPromise: Promise<AcmeClient> | undefined;
  private clientFailure: { until: number; error: CertfleetError } | undefined;
  private readonly now: () => number;
  private readonly updates: StateUpdates;

  constructor(private readonly deps: RenewerDeps) {
    this.now = deps.now ?? Date.now;
    this.updates = new StateUpdates(deps.store);
  }

  get config(): Config {
    return this.deps.config;
  }

  async close(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
    const client = await this.clientPromise?.catch(() => undefined);
    if (client) await savePace(this.deps.store, this.deps.config.acme.directory, client).catch((err: unknown) => this.deps.log.debug({ error: errorMessage(err) }, 'pace_not_saved'));
    await client?.close();
  }

  /** Processes one certificate; never throws (a failure is an outcome and a scheduled retry). */
  async process(spec: CertificateSpec, opts: { force?: boolean }, signal: AbortSignal): Promise<RenewOutcome> {
    const outcome = await this.renew(spec, opts, signal);
    // After the lock is released (DESIGN's pipeline): deploy actions, then notifications.
    if ((outcome.result === 'issued' || outcome.result === 'renewed') && outcome.paths) {
      outcome.deploy = await this.deploy(spec, outcome.result, outcome.paths, outcome.meta, signal);
    }
    if (outcome.result !== 'skipped' && !signal.aborted) await this.notify(spec, outcome, signal);
    return outcome;
  }

  /** Runs the deploy actions of `spec` for its current certificate (also `certfleet deploy`). */
  async deploy(spec: CertificateSpec, event: 'issued' | 'renewed', paths: CertificatePaths, meta: CertificateMeta | undefined, signal: AbortSignal): Promise<DeployResult[]> {
    if (spec.deploy.length === 0) return [];
    const { buildActions } = await import('../deploy/build-actions.js');
    const { runDeploy } = await import('../deploy/run-deploy.js');
    const name = certificateName(spec);
    const ev: CertificateEvent = { event, name, domains: spec.domains, paths, notAfter: meta?.notAfter ?? '', storeRoot: this.deps.store.root };
    return runDeploy(buildActions(spec.deploy, this.deps.config.containers), ev, this.deps.log.child({ cert: name, component: 'deploy' }), signal, this.deps.hooks?.onDeploy);
  }

  private async notify(spec: CertificateSpec, o: RenewOutcome, signal: AbortSignal): Promise<void> {
    const targets = this.deps.config.notify.filter((n) => n.webhook.events.includes(o.result as 'failed'));
    if (targets.length === 0) return;
    const { postWebhook } = await import('../deploy/webhook-action.js');
    const meta = o.meta;
    const unpause = o.result === 'failed' ? /https:\/\/\S*unpause\S*/i.exec(o.detail)?.[0] : undefined;
    // Inside the emergency zone every failed attempt (hourly at most) is flagged as such.
    const emergency = o.result === 'failed' && meta !== undefined && this.now() >= emergencyStart(Date.parse(meta.notBefore), Date.parse(meta.notAfter));
    const body = {
      event: o.result, certificate: o.name, domains: spec.domains,
      ...(meta ? { not_after: meta.notAfter } : {}),
      ...(o.result === 'failed' ? { error: o.detail, emergency, ...(unpause ? { unpause_url: unpause } : {}), ...(o.next ? { next_attempt: new Date(o.next).toISOString() } : {}) } : {}),
      ...(o.deploy?.some((d) => d.result === 'failed') ? { deploy_failures: o.deploy.filter((d) => d.result === 'failed').map((d) => d.error) } : {}),
    };
    await Promise.all(targets.map(async (t) => {
      try {
        await postWebhook(t.webhook.url, body, { ...(t.webhook.secret ? { secret: t.webhook.secret.reveal() } : {}), timeoutMs: t.webhook.timeout }, signal);
      } catch (err) {
        this.deps.log.error({ cert: o.name, error: errorMessage(err) }, 'notify_failed');
      }
    }));
  }

  private async renew(spec: CertificateSpec, opts: { force?: boolean }, signal: AbortSignal): Promise<RenewOutcome> {
    const name = certificateName(spec);
    const log = this.deps.log.child({ cert: name });
    const started = performance.now();
    let meta: CertificateMeta | undefined;
    let state: RenewalState | undefined;
    try {
      [meta, state] = await Promise.all([this.deps.store.readMeta(name), this.deps.store.readState(name)]);
      state = await this.refreshAri(name, meta, state, log, signal);
      const first = opts.force ? { due: true as const, reason: 'forced' } : this.decide(spec, meta, state);
      // Values an interrupted run left in DNS are removed at the next look, due or not.
      if (!first.due && !state.pendingTxt?.length) return this.report({ name, result: 'skipped', detail: first.reason, next: this.nextWake(first, meta, state) }, meta);

      const lock = await this.deps.store.lock(name, signal);
      // Held until the TXT cleanup is done too: every change to this certificate's state (the
      // cleanup forgets what it deleted) happens under it, and a later run finds no value in use.
      let cleanup: Promise<void> | undefined;
      try {
        [meta, state] = await Promise.all([this.deps.store.readMeta(name), this.deps.store.readState(name)]);
        if (state.pendingTxt?.length) state = await this.removeLeftovers(name, state.pendingTxt, log, signal);
        const again = opts.force ? first : this.decide(spec, meta, state);
        if (!again.due) return this.report({ name, result: 'skipped', detail: first.due ? `${again.reason} (renewed meanwhile)` : again.reason, next: this.nextWake(again, meta, state) }, meta);

        await this.deps.store.preflight(name, signal);
        log.info({ reason: again.reason, domains: spec.domains }, 'obtaining');
        // A lease lost mid-issuance (another process took the lock over) stops the work at once.
        const paths = await this.obtain(spec, name, meta, log, AbortSignal.any([signal, lock.signal]), (task) => { cleanup = task; });
        const result = meta ? 'renewed' : 'issued';
        const ms = performance.now() - started;
        const newMeta = await this.deps.store.readMeta(name);
        // The certificate is saved and live: a state write that fails now (a full disk) is logged,
        // not reported as a failed issuance that would send the operator after a working certificate.
        const succeeded = recordSuccess(state, result, this.now());
        state = await this.updates.update(name, (s) => recordSuccess(s, result, this.now())).catch((err: unknown) => {
          log.error({ error: errorMessage(err) }, 'state_write_failed');
          return succeeded;
        });
        const next = this.decide(spec, newMeta, state);
        // Metrics and state first, then the log line: whoever reads the log sees them current.
        const outcome = this.report({ name, result, detail: paths.liveDir, paths, ms, next: this.nextWake(next, newMeta, state) }, newMeta);
        log.info({ domains: spec.domains, ms: Math.round(ms), reason: again.reason }, result);
        return outcome;
      } catch (err) {
        return await this.failed(name, meta, err, log, signal);
      } finally {
        const release = () => lock[Symbol.asyncDispose]();
        if (cleanup) this.track(cleanup.then(release, release));
        else await release();
      }
    } catch (err) {
      return this.failed(name, meta, err, log, signal);
    }
  }

  private async failed(name: string, meta: CertificateMeta | undefined, err: unknown, log: Logger, signal: AbortSignal): Promise<RenewOutcome> {
    const message = errorMessage(err);
    if (signal.aborted) {
      log.warn({ error: message }, 'interrupted');
      return this.report({ name, result: 'failed', detail: `interrupted: ${message}` }, meta);
    }
    log.error({ error: message }, 'failed');
    let failedState: RenewalState | undefined;
    try {
      failedState = await this.updates.update(name, (s) => recordFailure(s, meta && facts(meta), message, this.now()));
    } catch (e) {
      log.error({ error: errorMessage(e) }, 'state_write_failed');
    }
    const next = failedState ?? recordFailure({ failures: 0 }, meta && facts(meta), message, this.now());
    return this.report({ name, result: 'failed', detail: message, next: Date.parse(next.nextAttempt!) }, meta);
  }

  /** Keeps a background task (a TXT cleanup and the lock it holds) until it is done; close() waits for it. */
  private track(task: Promise<void>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  private ledger(name: string): PendingTxtLedger {
    return new PendingTxtLedger(this.updates, name);
  }

  /**
   * Deletes the TXT values an interrupted run of `name` left (its state's `pendingTxt`), within
   * the cleanup budget; call it holding the certificate's lock. What cannot be deleted now stays
   * noted for the next look, and the issuance goes on (its own values are noted beside them).
   */
  private async removeLeftovers(name: string, entries: PendingTxt[], log: Logger, signal: AbortSignal): Promise<RenewalState> {
    const configured = [...new Set(entries.map((e) => e.provider))].filter((id) => this.deps.config.dns.providers[id] !== undefined);
    const budget = AbortSignal.any([signal, AbortSignal.timeout(this.deps.cleanupTimeoutMs ?? 30_000)]);
    try {
      await this.loadProviderIds(configured);
      const left = await removeLeftoverTxt({ store: this.deps.store, ledger: this.ledger(name), entries, provider: (id) => this.providers.get(id), log, budget });
      if (left > 0) log.warn({ values: left }, 'txt_leftovers_kept');
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn({ values: entries.length, error: errorMessage(err) }, 'txt_leftovers_kept');
    }
    return this.deps.store.readState(name);
  }

  /**
   * Removes what interrupted runs left in DNS for every certificate of the config and of the
   * store, each under its lock (for the start of `issue` and of the daemon; a certificate the
   * pipeline looks at is also cleaned then). Never throws but for an abort.
   */
  async sweepLeftoverTxt(signal: AbortSignal): Promise<void> {
    const stored = await this.deps.store.list().catch(() => []);
    const names = [...new Set([...this.deps.config.certificates.map(certificateName), ...stored.map((m) => m.name)])];
    await Promise.all(names.map(async (name) => {
      const log = this.deps.log.child({ cert: name });
      try {
        if (!(await this.deps.store.readState(name)).pendingTxt?.length) return;
        await using lock = await this.deps.store.lock(name, signal);
        void lock; // held until this block ends
        const entries = (await this.deps.store.readState(name)).pendingTxt ?? [];
        if (entries.length > 0) await this.removeLeftovers(name, entries, log, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn({ error: errorMessage(err) }, 'txt_leftovers_kept');
      }
    }));
  }

  /** The decision for a certificate from what is on disk, without I/O beyond reading (for `--dry-run` and `list`). */
  decide(spec: CertificateSpec, meta: CertificateMeta | undefined, state: RenewalState): Decision {
    return decideRenewal(meta && facts(meta), { domains: spec.domains, keyType: spec.key_type, directory: this.deps.config.acme.directory }, state, this.now());
  }

  /** Revokes the current certificate of `name` (RFC 5280 reason code). */
  async revoke(name: string, reason: number, signal: AbortSignal): Promise<void> {
    const stored = await this.deps.store.load(name);
    if (!stored) return;
    const { X509Certificate } = await import('node:crypto');
    const client = await this.client(signal);
    await client.revoke(new X509Certificate(stored.pem.cert).raw, reason, signal);
  }

  private report(outcome: RenewOutcome, meta: CertificateMeta | undefined): RenewOutcome {
    if (meta) outcome.meta = meta;
    this.deps.hooks?.onOutcome?.(outcome, meta);
    return outcome;
  }

  private nextWake(decision: Decision, meta: CertificateMeta | undefined, state: RenewalState): number {
    const at = decision.due ? this.now() : decision.at;
    if (!meta || this.ariSupported === false) return at;
    return Math.min(at, Math.max(ariCheckTime(state, meta.serial), this.now()));
  }

  /** Whether the CA serves renewalInfo; undefined until its directory has been read. */
  private ariSupported: boolean | undefined;

  private async refreshAri(name: string, meta: CertificateMeta | undefined, state: RenewalState, log: Logger, signal: AbortSignal): Promise<RenewalState> {
    if (!meta || this.ariSupported === false || this.deps.config.acme.directory === 'selfsigned' || ariCheckTime(state, meta.serial) > this.now()) return state;
    try {
      const client = await this.client(signal);
      this.ariSupported = (await client.directory(signal)).renewalInfo !== undefined;
      if (!this.ariSupported) return state;
      const certId = meta.ariCertId ?? await this.certIdFromDisk(name);
      const info = await client.renewalInfo(certId, signal);
      // Merged into what is on disk now: the lock is not held here, and a run holding it may
      // have just noted TXT values in the state.
      const next = await this.updates.update(name, (s) => recordAri(s, meta.serial, info, this.now()));
      log.debug({ window: next.ari?.window, nextCheck: next.ari?.nextCheck }, 'ari_checked');
      return next;
    } catch (err) {
      if (signal.aborted) throw err;
      // ARI is advice: without an answer the lifetime rule still holds. Ask again later.
      log.warn({ error: errorMessage(err) }, 'ari_failed');
      return recordAriFailure(state, meta.serial, this.now());
    }
  }

  private async certIdFromDisk(name: string): Promise<string> {
    const stored = await this.deps.store.load(name);
    const { ariCertId } = await import('../acme/ari-cert-id.js');
    return ariCertId(stored!.pem.cert);
  }

  /**
   * The ACME client with its account, opened once. A failure is remembered for a while, so
   * a thousand jobs starting while the CA is down fail at once instead of each retrying.
   */
  private client(signal: AbortSignal): Promise<AcmeClient> {
    if (this.clientFailure && this.now() < this.clientFailure.until) return Promise.reject(this.clientFailure.error);
    this.clientPromise ??= accountFromConfig(this.deps.store, this.deps.config.acme, signal, {
      log: this.deps.log.child({ component: 'acme' }),
      ...(this.deps.hooks?.onRequest ? { onRequest: this.deps.hooks.onRequest } : {}),
    }).catch((err: unknown) => {
      this.clientPromise = undefined;
      if (signal.aborted) throw err;
      const error = err instanceof CertfleetError
        ? new CertfleetError(err.code, `ACME account: ${err.message}`, { retryable: err.retryable, cause: err })
        : new CertfleetError('ACME_UNREACHABLE', `ACME account: ${errorMessage(err)}`, { retryable: true, cause: err });
      this.clientFailure = { until: this.now() + CLIENT_FAILURE_MEMORY_MS, error };
      throw error;
    });
    return this.clientPromise;
  }

  /** Creates (once) every provider the certificate may route to, so route() can stay synchronous. */
  private loadProviders(spec: CertificateSpec): Promise<void> {
    return this.loadProviderIds(typeof spec.dns === 'string' ? [spec.dns] : [...new Set(Object.values(spec.dns))]);
  }

  private async loadProviderIds(ids: string[]): Promise<void> {
    await Promise.all(ids.filter((id) => !this.providers.has(id)).map(async (id) => {
      const provider = await createProvider(id, this.deps.config.dns.providers[id]!, { log: this.deps.log.child({ component: 'dns', provider: id }) });
      // Concurrent certificates in one zone share provider calls (group commit).
      if (!this.providers.has(id)) this.providers.set(id, new BatchingProvider(provider));
    }));
  }

  /** The provider (and its TTL and propagation settings) for the name a challenge record goes to. */
  private route(spec: CertificateSpec, fqdn: string): DnsRoute {
    const id = providerFor(spec.dns, fqdn);
    const pcfg = id === undefined ? undefined : this.deps.config.dns.providers[id];
    if (id === undefined || !pcfg) {
      throw new CertfleetError('DNS_NO_PROVIDER', `${certificateName(spec)}: no DNS provider is configured for ${fqdn} (certificates[].dns maps ${Object.keys(spec.dns).join(', ')}); a CNAME may lead out of every configured zone`);
    }
    const provider = this.providers.get(id);
    if (!provider) throw new CertfleetError('DNS_NO_PROVIDER', `${certificateName(spec)}: provider ${id} is not loaded`);
    return {
      provider,
      ttl: pcfg.ttl,
      propagation: { ...DEFAULT_PROPAGATION, timeoutMs: pcfg.propagation.timeout, ...(pcfg.propagation.nameservers ? { nameservers: pcfg.propagation.nameservers } : {}) },
    };
  }

  private async obtain(spec: CertificateSpec, name: string, meta: CertificateMeta | undefined, log: Logger, signal: AbortSignal, background: (task: Promise<void>) => void): Promise<CertificatePaths> {
    if (this.deps.config.acme.directory === 'selfsigned') {
      const { issueSelfSigned } = await import('./self-signed-issuer.js');
      return issueSelfSigned({ name, domains: spec.domains, keyType: spec.key_type, reuseKey: spec.reuse_key }, this.deps.store, log);
    }
    // Loaded on first issuance only: an idle daemon never pays for CSR and X.509 code.
    const { obtainCertificate } = await import('./obtain-certificate.js');
    const [client] = await Promise.all([this.client(signal), this.loadProviders(spec)]);
    // `replaces` only where the CA speaks ARI: it names the certificate this one succeeds.
    const ari = meta?.ariCertId !== undefined && (await client.directory(signal)).renewalInfo !== undefined;
    return obtainCertificate({
      name,
      domains: spec.domains,
      keyType: spec.key_type,
      reuseKey: spec.reuse_key,
      profile: spec.profile ?? this.deps.config.acme.profile,
      preferredChain: this.deps.config.acme.preferred_chain,
      replaces: ari ? meta?.ariCertId : undefined,
      dns: (fqdn) => this.route(spec, fqdn),
      followCnames: spec.follow_cnames,
      ...(this.deps.hooks?.onPropagated ? { onPropagated: this.deps.hooks.onPropagated } : {}),
    }, {
      client, store: this.deps.store, lookup: this.deps.lookup, log, ledger: this.ledger(name), background,
      ...(this.deps.cleanupTimeoutMs ? { cleanupTimeoutMs: this.deps.cleanupTimeoutMs } : {}),
    }, signal);
  }
}

function facts(meta: CertificateMeta): CertificateFacts {
  return { domains: meta.domains, keyType: meta.keyType, notBefore: meta.notBefore, notAfter: meta.notAfter, serial: meta.serial, directory: meta.directory };
}
