import { parseIsoTime } from '../iso-time.js';
import { certificateName } from '../config/certificate-name.js';
import type { Config } from '../config/schema.js';
import type { DeployState } from '../store/renewal-state.js';
import { decideRenewal, EMPTY_STATE, FORCE_RENEW_INTERVAL_MS, type CertificateFacts, type Decision, type RenewalState } from './renewal-policy.js';

/** What the status reads of a certificate's spec. */
export type StatusSpec = Pick<Config['certificates'][number], 'name' | 'domains' | 'key_type' | 'force_renew'>;

/** What the status reads of the stored certificate's metadata. */
export type StoredFacts = CertificateFacts & { issuedAt: string };

/**
 * Where a certificate stands, from the store alone: what `list` shows, what `run --dry-run`
 * plans and what the pipeline decides (it asks again under the lock with what it read there).
 */
export interface CertificateStatus {
  name: string;
  /** The renewal policy's answer now. */
  decision: Decision;
  /**
   * `issue` or `renew` when due now (nothing stored yet, or a certificate to replace); `wait`
   * otherwise: inside a failure backoff, before the renewal window, or before the ARI moment.
   */
  action: 'issue' | 'renew' | 'wait';
  /** When it is due, Unix ms: `now` when it is due now. */
  dueAt: number;
  /** The stored certificate, when there is one. */
  stored?: { notAfter: string; issuedAt: string; daysLeft: number };
  /** The last attempt the schedule state recorded (absent before the first one). */
  last?: { result: 'issued' | 'renewed' | 'failed'; at?: string; error?: string };
  /** The last deploy's results per action, and when a failed required one is retried. */
  deploy?: DeployState;
}

const DAY = 86_400_000;

/**
 * Who asks: the daemon (`run`, and `list` and the plan, which show what it will do) or one
 * `issue` run, which renews a `force_renew` certificate every time (as DNSroboCert's
 * --force-renewal on each check); the daemon does so at most every FORCE_RENEW_INTERVAL_MS.
 */
export type StatusRun = 'daemon' | 'once';

export interface StatusContext { directory: string; now: number; run?: StatusRun }

/** The one status query: pure, so the pipeline, `list` and the plan answer alike. */
export function certificateStatus(spec: StatusSpec, meta: StoredFacts | undefined, state: RenewalState, ctx: StatusContext): CertificateStatus {
  const decision = renewalDecision(spec, meta, state, ctx);
  const status: CertificateStatus = {
    name: certificateName(spec),
    decision,
    action: !decision.due ? 'wait' : meta ? 'renew' : 'issue',
    dueAt: decision.due ? ctx.now : decision.at,
  };
  if (meta) status.stored = { notAfter: meta.notAfter, issuedAt: meta.issuedAt, daysLeft: Math.floor((parseIsoTime(meta.notAfter) - ctx.now) / DAY) };
  if (state.lastResult) {
    status.last = { result: state.lastResult, ...(state.lastAttempt ? { at: state.lastAttempt } : {}), ...(state.lastError ? { error: state.lastError } : {}) };
  }
  if (state.deploy) status.deploy = state.deploy;
  return status;
}

/** certificateStatus's decision alone (the renewer's plan needs nothing else of the status). */
export function renewalDecision(spec: StatusSpec, meta: StoredFacts | undefined, state: RenewalState, ctx: StatusContext): Decision {
  const forceRenewAfterMs = !spec.force_renew ? undefined : ctx.run === 'once' ? 0 : FORCE_RENEW_INTERVAL_MS;
  return decideRenewal(meta, { domains: spec.domains, keyType: spec.key_type, directory: ctx.directory, forceRenewAfterMs }, state, ctx.now);
}

/** The reads the status needs of a store (CertificateStore's readMeta and readState, and its bulk read). */
export interface StatusSource {
  readMeta(name: string, signal: AbortSignal): Promise<StoredFacts | undefined>;
  readState(name: string, signal: AbortSignal): Promise<{ state: RenewalState }>;
  /** Every stored certificate's metadata and state at once (CertificateStore.schedules). */
  schedules?(signal: AbortSignal, only?: (name: string) => boolean): AsyncIterable<readonly { name: string; meta: StoredFacts | undefined; state: { state: RenewalState } }[]>;
}

/**
 * From this many certificates on, readStatuses reads the store once in bulk instead of twice
 * per certificate: at 100,000 the per-name reads were 7 of `certfleet list`'s 18 s.
 */
export const BULK_STATUSES_FROM = 200;

/** The status of every certificate of `config`, in config order; reads only. */
export async function readStatuses(config: Config, store: StatusSource, now: number, signal: AbortSignal, run: StatusRun = 'daemon', bulkFrom = BULK_STATUSES_FROM): Promise<CertificateStatus[]> {
  const statuses = new Array<CertificateStatus>(config.certificates.length);
  await visitStatuses(config, store, now, signal, (i, status) => { statuses[i] = status; }, run, bulkFrom);
  return statuses;
}

/**
 * readStatuses without the array: `visit` gets each certificate's status with its index in
 * `config.certificates`, once each, in no set order (a bulk read visits in the store's order).
 * A caller that keeps less than the status (`list`'s table cells) lets it die young: at
 * 100,000 certificates the held statuses were 67 MB the collector copied.
 */
export async function visitStatuses(config: Config, store: StatusSource, now: number, signal: AbortSignal, visit: (index: number, status: CertificateStatus) => void, run: StatusRun = 'daemon', bulkFrom = BULK_STATUSES_FROM): Promise<void> {
  const ctx = { directory: config.acme.directory, now, run };
  const specs = config.certificates;
  if (store.schedules && specs.length >= bulkFrom) {
    const at = new Map<string, number>();
    for (let i = 0; i < specs.length; i++) at.set(certificateName(specs[i]!), i);
    // Each status as its row comes, so the rows' metadata and state die young instead of all
    // being held until the read ends (at 100,000 certificates the collector copied them twice).
    // Names are unique in a config; were they not, each spec is looked up by its name.
    if (at.size === specs.length) {
      const seen = new Uint8Array(specs.length);
      // The rows of other names (a store holding more than these specs) left unparsed.
      for await (const page of store.schedules(signal, (name) => at.has(name))) {
        for (const row of page) {
          const i = at.get(row.name);
          if (i === undefined) continue;
          seen[i] = 1;
          visit(i, certificateStatus(specs[i]!, row.meta, row.state.state, ctx));
        }
      }
      for (let i = 0; i < specs.length; i++) if (!seen[i]) visit(i, certificateStatus(specs[i]!, undefined, EMPTY_STATE, ctx));
      return;
    }
    const stored = new Map<string, { meta: StoredFacts | undefined; state: { state: RenewalState } }>();
    for await (const page of store.schedules(signal)) for (const row of page) stored.set(row.name, row);
    specs.forEach((spec, i) => {
      const row = stored.get(certificateName(spec));
      visit(i, certificateStatus(spec, row?.meta, row?.state.state ?? EMPTY_STATE, ctx));
    });
    return;
  }
  await Promise.all(specs.map(async (spec, i) => {
    const name = certificateName(spec);
    const [meta, { state }] = await Promise.all([store.readMeta(name, signal), store.readState(name, signal)]);
    visit(i, certificateStatus(spec, meta, state, ctx));
  }));
}
