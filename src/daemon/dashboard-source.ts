import { certificateName, type Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { RenewOutcome } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import { certificateStatus, readStatuses, type CertificateStatus } from '../scheduler/certificate-status.js';
import { parseChain, type ChainEntry } from '../server/dashboard-certificate.js';
import type { DashboardEvent, EventRing } from '../server/dashboard-events.js';
import type { CertificateDetail, CertificateRow, CertificateState, DashboardSource } from '../server/dashboard-view.js';
import { failedRequired } from '../scheduler/deploy-retry.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { DeployState } from '../store/renewal-state.js';

/**
 * The dashboard's reads over the daemon's current config and store: the one status query
 * (certificate-status.ts) for the table, the stored PEM for the detail page, the ring for events.
 */
export function dashboardSource(o: { current: () => { config: Config; store: CertificateStore }; events: EventRing; now: () => number; log: Logger }): DashboardSource {
  return {
    async rows(signal) {
      const { config, store } = o.current();
      const statuses = await readStatuses(config, store, o.now(), signal);
      return statuses.map((s, i) => row(s, config.certificates[i]!.domains));
    },
    async detail(name, signal) {
      const { config, store } = o.current();
      const spec = config.certificates.find((c) => certificateName(c) === name);
      if (!spec) return undefined;
      const [stored, { state }] = await Promise.all([store.load(name, signal), store.readState(name, signal)]);
      const status = certificateStatus(spec, stored?.meta, state, { directory: config.acme.directory, now: o.now() });
      const detail: CertificateDetail = { row: row(status, spec.domains), chain: stored ? chain(stored.pem.fullchain, name, o.log) : [], events: withStoredDeploy(o.events.recent(name), name, state.deploy) };
      const window = state.ari?.window;
      if (window && stored && state.ari?.serial === stored.meta.serial) detail.ari = window;
      return detail;
    },
    events: () => o.events.recent(),
    now: o.now,
  };
}

function row(s: CertificateStatus, domains: string[]): CertificateRow {
  const r: CertificateRow = { name: s.name, domains, state: state(s), next: { at: s.dueAt, reason: withoutTime(s.decision.reason) } };
  if (s.stored) {
    r.notAfter = s.stored.notAfter;
    r.daysLeft = s.stored.daysLeft;
  }
  if (s.last?.error !== undefined && s.last.result === 'failed') r.lastError = s.last.error;
  else if (failedRequired(s.deploy).length > 0) r.lastError = `deploy failed: ${failedRequired(s.deploy).join('; ')}`;
  if (s.last?.at !== undefined) r.lastAt = s.last.at;
  return r;
}

/** The policy's reasons end in the time the table shows already ("... at 2027-01-30T12:09:08.000Z"). */
function withoutTime(reason: string): string {
  return reason.replace(/ at \d{4}-\d\d-\d\dT[\d:.]+Z$/, '');
}

function state(s: CertificateStatus): CertificateState {
  // Expired outranks failing: it is what the operator must act on first.
  if (s.stored && s.stored.daysLeft < 0) return 'expired';
  // A required deploy action that keeps failing leaves the new certificate unused: as urgent.
  if (s.last?.result === 'failed' || failedRequired(s.deploy).length > 0) return 'failing';
  if (!s.stored) return 'not issued';
  return s.action === 'renew' ? 'due' : 'valid';
}

/**
 * The ring holds what happened since the daemon started; the last deploy's results are in the
 * state. They fill in when the ring has no deploy event of this certificate (after a restart, or
 * a `certfleet deploy` run by hand), newest first like the ring.
 */
function withStoredDeploy(events: DashboardEvent[], name: string, deploy: DeployState | undefined): DashboardEvent[] {
  if (!deploy || events.some((e) => e.kind === 'deployed' || e.kind === 'deploy failed')) return events;
  const stored = deploy.actions.filter((a) => a.result !== 'skipped').map((a): DashboardEvent => (
    a.result === 'ok' ? { at: Date.parse(a.at), kind: 'deployed', name, detail: a.describe } : { at: Date.parse(a.at), kind: 'deploy failed', name, detail: a.error ?? a.describe }
  ));
  return [...events, ...stored].sort((a, b) => b.at - a.at);
}

/** Only the public certificates of the stored chain are read; a PEM that does not parse shows no chain. */
function chain(fullchain: string, name: string, log: Logger): ChainEntry[] {
  try {
    return parseChain(fullchain);
  } catch (err) {
    log.warn({ cert: name, error: errorMessage(err) }, 'dashboard_chain_unreadable');
    return [];
  }
}

/**
 * The events of one pipeline outcome, deploy results among them (skipped ones are not events,
 * but the deploy retry a skipped outcome carries is).
 */
export function outcomeEvents(outcome: RenewOutcome, at: number): DashboardEvent[] {
  const events: DashboardEvent[] = [];
  if (outcome.result !== 'skipped') {
    const detail = outcome.result !== 'failed' && outcome.meta ? `serial ${outcome.meta.serial}, valid until ${outcome.meta.notAfter.slice(0, 10)}` : outcome.detail;
    events.push({ at, kind: outcome.result, name: outcome.name, detail });
  }
  for (const d of outcome.deploy ?? []) {
    if (d.result === 'ok') events.push({ at, kind: 'deployed', name: outcome.name, detail: d.describe });
    else if (d.result === 'failed') events.push({ at, kind: 'deploy failed', name: outcome.name, detail: d.error ?? d.describe });
  }
  return events;
}
