import { X509Certificate, type KeyObject } from 'node:crypto';
import { ariCertId } from '../acme/ari-cert-id.js';
import { assertKeyType, generatePrivateKey, parsePrivateKey, privateKeyPem, type KeyType } from '../acme/keys.js';
import { certificateName, type Config } from '../config/schema.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { ARI_UNSUPPORTED, type Issuer } from '../issuer/issuer.js';
import type { Logger } from '../log.js';
import { DEFAULT_ISSUANCE_TIMEOUT_MS, endsByDeadline, issuanceDeadline } from './issuance-deadline.js';
import {
  ariCheckTime, recordAri, recordAriFailure, recordFailure, recordSuccess, type Decision, type PendingTxt, type RenewalState,
} from '../scheduler/renewal-policy.js';
import type { Dns01Solver } from '../solver/dns01-solver.js';
import type { StateGuard, StateUpdates } from '../solver/state-updates.js';
import type { CertificateMeta, CertificatePaths, CertificateStore, Lease, LocalCertificateDirectory, StoredCertificate, StoredSchedule } from '../store/certificate-store.js';
import { renewalDecision, type StatusRun } from '../scheduler/certificate-status.js';
import { deployRetryAt, failedRequired } from '../scheduler/deploy-retry.js';

export type CertificateSpec = Config['certificates'][number];

/** The detail of a fleet-mode skip: another live host holds the certificate's lease. */
export const BEING_RENEWED = 'being renewed by another host';

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
  /** The certificate just saved, for deploy (not reported). */
  saved?: StoredCertificate;
}

/** What the renewer reports, for metrics; every hook is optional. */
export interface RenewerHooks {
  onRequest?: (info: { method: string; url: string; status: number; ms: number }) => void;
  onPropagated?: (ms: number) => void;
  onOutcome?: (outcome: RenewOutcome, meta: CertificateMeta | undefined) => void;
  onDeploy?: (result: DeployResult) => void;
}

/** Runs a certificate's deploy actions after it landed (and for `certfleet deploy`). */
export interface DeployRunner {
  run(spec: CertificateSpec, event: 'issued' | 'renewed', certificate: StoredCertificate, signal: AbortSignal): Promise<DeployResult[]>;
}

/** Tells the configured webhooks about an outcome; never throws. */
export interface Notifier {
  notify(spec: CertificateSpec, outcome: RenewOutcome, signal: AbortSignal): Promise<void>;
}

export interface Clock { now(): number }

/** `force`: renew whatever the policy says; `run: 'once'` (`certfleet issue`): force_renew certificates renew on every run. */
export interface ProcessOptions { force?: boolean; run?: StatusRun }
/** Everything the pipeline works with, built by the composition root (src/daemon/compose.ts). */
export interface RenewerDeps {
  /** For `decide`: the wanted CA (a change of CA re-issues) and the default profile. */
  acme: Pick<Config['acme'], 'directory' | 'profile'>;
  store: CertificateStore;
  /** The store's read-modify-write of schedule state, shared with the solver's ledger. */
  updates: StateUpdates;
  local: Pick<LocalCertificateDirectory, 'paths'>;
  issuer: Issuer;
  solver: Pick<Dns01Solver, 'removeLeftovers'>;
  deploy: DeployRunner;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  hooks?: Pick<RenewerHooks, 'onOutcome'> | undefined;
  /**
   * How the lock is taken: `wait` (one host) waits for it; `skip` (fleet mode) claims it with
   * tryLock, and a certificate another live host holds is skipped and looked at again after
   * `claimRetryMs` (the holder's `saved` notification reschedules it sooner).
   */
  claim?: { mode: 'wait' } | { mode: 'skip'; retryMs: number } | undefined;
  /** The deadline of one attempt, from the lease to the save (src/issue/issuance-deadline.ts). */
  issuanceTimeoutMs?: number | undefined;
}

/**
 * The one pipeline for one certificate: ARI check when due, decide, lock, decide again (another
 * process may have just renewed it), generate the key, ask the issuer, check and save under the
 * lease, record the schedule state, then deploy and notify. It constructs nothing: its
 * collaborators are given.
 */
export class Renewer {
  /** TXT cleanups still running after their certificate was reported; close() waits for them. */
  private readonly background = new Set<Promise<void>>();
  /** Whether the CA serves renewalInfo; undefined until it has been asked. */
  private ariSupported: boolean | undefined;

  constructor(private readonly deps: RenewerDeps) {
    if (!deps.issuer.renewalInfo) this.ariSupported = false;
  }

  async close(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
    await this.deps.issuer.close();
  }

  /** Processes one certificate; never throws (a failure is an outcome and a scheduled retry). */
  async process(spec: CertificateSpec, opts: ProcessOptions, signal: AbortSignal): Promise<RenewOutcome> {
    const outcome = await this.renew(spec, opts, signal);
    // After the lock is released: deploy actions, then notifications.
    const { saved, ...reported } = outcome;
    if ((reported.result === 'issued' || reported.result === 'renewed') && saved) {
      reported.deploy = await this.deps.deploy.run(spec, reported.result, saved, signal);
    } else if (reported.result === 'skipped' && !signal.aborted) {
      const retried = await this.retryDeploy(spec, signal);
      if (retried) reported.deploy = retried;
    }
    if (!signal.aborted) {
      const next = await this.withDeployRetry(certificateName(spec), reported.next, signal);
      if (next !== undefined) reported.next = next;
    }
    if (reported.result !== 'skipped' && !signal.aborted) await this.deps.notifier.notify(spec, reported, signal);
    return reported;
  }

  /**
   * Runs the deploy actions of the current certificate again when a required one failed and its
   * retry time (src/scheduler/deploy-retry.ts) has come; the certificate is not reissued.
   */
  private async retryDeploy(spec: CertificateSpec, signal: AbortSignal): Promise<DeployResult[] | undefined> {
    const name = certificateName(spec);
    try {
      const { state } = await this.deps.store.readState(name, signal);
      const at = deployRetryAt(state);
      if (at === undefined || at > this.now()) return undefined;
      this.deps.log.info({ cert: name, attempt: (state.deploy?.failures ?? 0) + 1, failed: failedRequired(state.deploy) }, 'deploy_retry');
      return await this.redeploy(spec, signal);
    } catch (err) {
      // Never thrown: process() reports outcomes. An abort is the shutdown, already logged.
      if (!signal.aborted) this.deps.log.error({ cert: name, error: errorMessage(err) }, 'deploy_retry_failed');
      return undefined;
    }
  }

  /** `next`, or the retry of a failed required deploy when that comes first. */
  private async withDeployRetry(name: string, next: number | undefined, signal: AbortSignal): Promise<number | undefined> {
    const { state } = await this.deps.store.readState(name, signal).catch(() => ({ state: undefined }));
    return state ? this.nextWithDeployRetry(next, state) : next;
  }

  /** `next`, or the retry of a failed required deploy in `state` when that comes first (now at the earliest). */
  private nextWithDeployRetry(next: number | undefined, state: RenewalState): number | undefined {
    const at = deployRetryAt(state);
    if (at === undefined) return next;
    const retry = Math.max(at, this.now());
    return next === undefined ? retry : Math.min(next, retry);
  }

  /** Whether the CA's renewal info for the stored certificate is to be asked now (refreshAri). */
  private ariCheckDue(meta: CertificateMeta | undefined, state: RenewalState): meta is CertificateMeta {
    return meta !== undefined && this.deps.issuer.renewalInfo !== undefined && this.ariSupported !== false && ariCheckTime(state, meta.serial) <= this.now();
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** The certificate's lease, or undefined when fleet mode found another live host holding it. */
  private claim(name: string, signal: AbortSignal): Promise<Lease | undefined> {
    return this.deps.claim?.mode === 'skip' ? this.deps.store.tryLock(name, signal) : this.deps.store.lock(name, signal);
  }

  private claimRetryMs(): number {
    return this.deps.claim?.mode === 'skip' ? this.deps.claim.retryMs : 0;
  }

  private async renew(spec: CertificateSpec, opts: ProcessOptions, signal: AbortSignal): Promise<RenewOutcome> {
    const name = certificateName(spec);
    const log = this.deps.log.child({ cert: name });
    const started = performance.now();
    const { store } = this.deps;
    let meta: CertificateMeta | undefined;
    let state: RenewalState;
    let lease: Lease | undefined;
    try {
      [meta, { state }] = await Promise.all([store.readMeta(name, signal), store.readState(name, signal)]);
      state = await this.refreshAri(name, meta, state, log, signal);
      const first = opts.force ? { due: true as const, reason: 'forced' } : this.decide(spec, meta, state, opts);
      // Values an interrupted run left in DNS are removed at the next look, due or not.
      if (!first.due && !state.pendingTxt?.length) return this.report({ name, result: 'skipped', detail: first.reason, next: this.nextWake(first, meta, state) }, meta);

      lease = await this.claim(name, signal);
      if (!lease) return this.report({ name, result: 'skipped', detail: BEING_RENEWED, next: this.now() + this.claimRetryMs() }, meta);
      const held = lease;
      // Held until the TXT cleanup is done too: every change to this certificate's state (the
      // cleanup forgets what it deleted) happens under it, and a later run finds no value in use.
      const tasks: Promise<void>[] = [];
      try {
        [meta, { state }] = await Promise.all([store.readMeta(name, signal), store.readState(name, signal)]);
        if (state.pendingTxt?.length) state = await this.removeLeftovers(name, held, state.pendingTxt, log, signal);
        const again = opts.force ? first : this.decide(spec, meta, state, opts);
        if (!again.due) return this.report({ name, result: 'skipped', detail: first.due ? `${again.reason} (renewed meanwhile)` : again.reason, next: this.nextWake(again, meta, state) }, meta);

        // Whatever would stop the save or the key, before anything is asked of the CA.
        assertKeyType(spec.key_type);
        await store.preflight(name, signal);
        // The policy names a retry after a failure itself (renewal-policy.ts): plan, list and this line agree.
        const reason = again.reason;
        log.info({ reason, domains: spec.domains }, 'obtaining');
        // A lease lost mid-issuance (another process took the lock over) stops the work at once,
        // and so does the attempt's deadline. The attempt ends then even if something it awaits
        // ignores the signal (after a short grace to unwind, so the issuer's TXT cleanup is
        // handed over first): the failure is recorded, the lease released after the cleanup, and
        // a late save under the released lease is refused by fencing.
        const deadline = issuanceDeadline(name, this.deps.issuanceTimeoutMs ?? DEFAULT_ISSUANCE_TIMEOUT_MS);
        const work = AbortSignal.any([signal, held.signal, deadline.signal]);
        // The TXT cleanup's ledger change goes with the result's write when it is done by then
        // (one state write fewer), else with the release below.
        this.deps.updates.hold(name);
        const saved = await endsByDeadline(this.obtain(spec, name, meta, held, work, (t) => tasks.push(t)), work).finally(deadline.clear);
        const result = meta ? 'renewed' : 'issued';
        const ms = performance.now() - started;
        // The certificate is saved and live: a state write that fails now (a full disk) is logged,
        // not reported as a failed issuance that would send the operator after a working certificate.
        const succeeded = recordSuccess(state, result, this.now());
        state = await this.deps.updates.update(name, (s) => recordSuccess(s, result, this.now()), { lease: held }, signal).catch((err: unknown) => {
          log.error({ error: errorMessage(err) }, 'state_write_failed');
          return succeeded;
        });
        const paths = this.deps.local.paths(name);
        const next = this.decide(spec, saved.meta, state, opts);
        // Metrics and state first, then the log line: whoever reads the log sees them current.
        const outcome = this.report({ name, result, detail: paths.liveDir, paths, ms, next: this.nextWake(next, saved.meta, state), saved }, saved.meta);
        log.info({ domains: spec.domains, ms: Math.round(ms), reason }, result);
        return outcome;
      } catch (err) {
        // Recorded before the lease goes: no other run can have written the state since.
        return await this.failed(name, meta, err, log, { lease: held }, signal);
      } finally {
        // What the state still holds back is written before the lease goes (a local write: no DNS budget bounds it).
        const release = () => this.deps.updates.release(name, { lease: held }, new AbortController().signal)
          .catch((err: unknown) => log.error({ error: errorMessage(err) }, 'state_write_failed'))
          .then(() => held.release());
        if (tasks.length > 0) this.track(Promise.all(tasks).then(release, release));
        else await release();
      }
    } catch (err) {
      return this.failed(name, meta, err, log, 'compare-and-set', signal);
    }
  }

  /** Generates (or keeps) the key, asks the issuer, checks its answer and saves it under the lease. */
  private async obtain(spec: CertificateSpec, name: string, meta: CertificateMeta | undefined, lease: Lease, signal: AbortSignal, background: (t: Promise<void>) => void): Promise<StoredCertificate> {
    const keyType: KeyType = spec.key_type;
    const key = this.key(name, keyType, spec.reuse_key, signal);
    // The issuer may fail before it waits for the key: the rejection is reported there, not here.
    key.catch(() => undefined);
    const issued = await this.deps.issuer.issue({
      name, domains: spec.domains, key, dns: spec.dns, followCnames: spec.follow_cnames,
      profile: spec.profile ?? this.deps.acme.profile, lease, background,
      // `replaces` names the certificate this one succeeds (the issuer drops it without ARI).
      replaces: meta?.ariCertId,
    }, signal);
    const certs = issued.chain;
    if (certs.length === 0) throw new CertfleetError('ACME_BAD_RESPONSE', `${name}: the CA returned no certificate`);
    const leaf = new X509Certificate(certs[0]!);
    if (!leaf.checkPrivateKey(await key)) throw new CertfleetError('ACME_BAD_RESPONSE', `${name}: the CA returned a certificate for another key`);
    const pem = { cert: certs[0]!, chain: certs.slice(1).join(''), fullchain: certs.join(''), privkey: privateKeyPem(await key) };
    const savedMeta = await this.deps.store.save({
      meta: {
        name, domains: spec.domains, keyType,
        notBefore: new Date(leaf.validFrom).toISOString(),
        notAfter: new Date(leaf.validTo).toISOString(),
        issuer: leaf.issuer.replace(/\n/g, ', '),
        serial: leaf.serialNumber,
        account: issued.account,
        orderUrl: issued.orderUrl,
        issuedAt: new Date(this.now()).toISOString(),
        ...(this.deps.issuer.renewalInfo ? { ariCertId: ariCertId(certs[0]!) } : {}),
        directory: issued.directory,
      },
      pem,
    }, lease, signal);
    return { meta: savedMeta, pem };
  }

  private async key(name: string, keyType: KeyType, reuse: boolean, signal: AbortSignal): Promise<KeyObject> {
    const existing = reuse ? await this.deps.store.load(name, signal) : undefined;
    return existing ? parsePrivateKey(existing.pem.privkey) : generatePrivateKey(keyType);
  }

  private async failed(name: string, meta: CertificateMeta | undefined, err: unknown, log: Logger, guard: StateGuard, signal: AbortSignal): Promise<RenewOutcome> {
    const message = errorMessage(err);
    if (signal.aborted) {
      log.warn({ error: message }, 'interrupted');
      return this.report({ name, result: 'failed', detail: `interrupted: ${message}` }, meta);
    }
    let failedState: RenewalState | undefined;
    try {
      failedState = await this.deps.updates.update(name, (s) => recordFailure(s, meta, message, this.now()), guard, signal);
    } catch (e) {
      log.error({ error: errorMessage(e) }, 'state_write_failed');
    }
    const next = failedState ?? recordFailure({ failures: 0 }, meta, message, this.now());
    // Logged once the backoff is decided (the policy decides it in the state), so the line says when the retry comes.
    log.error({ error: message, failures: next.failures, next_attempt_at: next.nextAttempt }, 'failed');
    return this.report({ name, result: 'failed', detail: message, next: Date.parse(next.nextAttempt!) }, meta);
  }

  /** Keeps a background task (a TXT cleanup and the lease it holds) until it is done; close() waits for it. */
  private track(task: Promise<void>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /**
   * Deletes the TXT values an interrupted run of `name` left; call it holding the lease. What
   * cannot be deleted now stays noted for the next look, and the issuance goes on.
   */
  private async removeLeftovers(name: string, lease: Lease, entries: PendingTxt[], log: Logger, signal: AbortSignal): Promise<RenewalState> {
    try {
      const left = await this.deps.solver.removeLeftovers(name, lease, entries, signal);
      if (left > 0) log.warn({ values: left }, 'txt_leftovers_kept');
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn({ values: entries.length, error: errorMessage(err) }, 'txt_leftovers_kept');
    }
    return (await this.deps.store.readState(name, signal)).state;
  }

  /**
   * Before `plan`: whether the CA offers ARI, from what an earlier process learned (no request).
   * Without it, a start with a CA that has no ARI would run every certificate as a job only to
   * learn that again from the first one.
   */
  async prepare(signal: AbortSignal): Promise<void> {
    if (this.ariSupported !== undefined || !this.deps.issuer.knownWithoutRenewalInfo) return;
    if (await this.deps.issuer.knownWithoutRenewalInfo(signal).catch(() => false)) this.ariSupported = false;
  }

  /**
   * The first look at a certificate from what the store gave in bulk (`schedules`), without any
   * I/O: when `process` would do nothing now (no renewal due, no ARI check due, no TXT values
   * left over, no deploy retry due), the outcome it would report is reported and its next look
   * returned. Undefined: run `process` now. A start plans from one bulk read this way, where a
   * job per certificate read its metadata and state one certificate at a time.
   */
  plan(spec: CertificateSpec, stored: Pick<StoredSchedule, 'meta' | 'state'>, opts: ProcessOptions = {}): number | undefined {
    const { meta } = stored;
    const { state } = stored.state;
    if (opts.force || state.pendingTxt?.length || this.ariCheckDue(meta, state)) return undefined;
    const decision = this.decide(spec, meta, state, opts);
    if (decision.due) return undefined;
    const retry = deployRetryAt(state);
    if (retry !== undefined && retry <= this.now()) return undefined;
    const next = this.nextWithDeployRetry(this.nextWake(decision, meta, state), state)!;
    this.report({ name: certificateName(spec), result: 'skipped', detail: decision.reason, next }, meta);
    return next;
  }

  /**
   * Removes what interrupted runs left in DNS for each certificate of `names`, each under its
   * lock (for the start of `issue` and of the daemon; a certificate the pipeline looks at is
   * also cleaned then). In fleet mode (claim: skip) a name another live host holds is left to it
   * rather than waited for. Never throws but for an abort.
   */
  async sweepLeftoverTxt(names: Iterable<string>, signal: AbortSignal): Promise<void> {
    await Promise.all([...names].map(async (name) => {
      try {
        if (!(await this.deps.store.readState(name, signal)).state.pendingTxt?.length) return;
        const log = this.deps.log.child({ cert: name });
        // Fleet mode claims without waiting: a live host holding the lease is renewing the
        // certificate and cleans its own values; a dead one's are cleaned by the next holder.
        await using lease = await this.claim(name, signal);
        if (!lease) return;
        const entries = (await this.deps.store.readState(name, signal)).state.pendingTxt ?? [];
        if (entries.length > 0) await this.removeLeftovers(name, lease, entries, log, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        this.deps.log.warn({ cert: name, error: errorMessage(err) }, 'txt_leftovers_kept');
      }
    }));
  }

  private decide(spec: CertificateSpec, meta: CertificateMeta | undefined, state: RenewalState, opts: ProcessOptions): Decision {
    return renewalDecision(spec, meta, state, { directory: this.deps.acme.directory, now: this.now(), ...(opts.run ? { run: opts.run } : {}) });
  }

  /** Revokes the current certificate of `name` (RFC 5280 reason code); false when none is stored. */
  async revoke(name: string, reason: number, signal: AbortSignal): Promise<CertificateMeta | undefined> {
    const stored = await this.deps.store.load(name, signal);
    if (!stored) return undefined;
    if (!this.deps.issuer.revoke) throw new CertfleetError('ACME_BAD_RESPONSE', `issuer ${this.deps.issuer.key} cannot revoke certificates`);
    await this.deps.issuer.revoke(stored.pem.cert, reason, signal);
    return stored.meta;
  }

  /** Runs the deploy actions of `spec` for its current certificate (`certfleet deploy`). */
  async redeploy(spec: CertificateSpec, signal: AbortSignal): Promise<DeployResult[] | undefined> {
    const stored = await this.deps.store.load(certificateName(spec), signal);
    if (!stored) return undefined;
    return this.deps.deploy.run(spec, stored.meta.version > 1 ? 'renewed' : 'issued', stored, signal);
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

  private async refreshAri(name: string, meta: CertificateMeta | undefined, state: RenewalState, log: Logger, signal: AbortSignal): Promise<RenewalState> {
    const { issuer } = this.deps;
    if (!this.ariCheckDue(meta, state) || !issuer.renewalInfo) return state;
    try {
      const info = await issuer.renewalInfo({ ariCertId: meta.ariCertId, certPem: async () => (await this.deps.store.load(name, signal))!.pem.cert }, signal);
      this.ariSupported = info !== ARI_UNSUPPORTED;
      if (info === ARI_UNSUPPORTED) return state;
      // The lock is not held here: compare-and-set on what is stored now (a run holding the lock
      // may have just noted TXT values in the state).
      const next = await this.deps.updates.update(name, (s) => recordAri(s, meta.serial, info, this.now()), 'compare-and-set', signal);
      log.debug({ window: next.ari?.window, next_check_at: next.ari?.nextCheck }, 'ari_checked');
      return next;
    } catch (err) {
      if (signal.aborted) throw err;
      // ARI is advice: without an answer the lifetime rule still holds. Ask again later.
      log.warn({ error: errorMessage(err) }, 'ari_failed');
      return recordAriFailure(state, meta.serial, this.now());
    }
  }
}
