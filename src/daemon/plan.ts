import type { Config } from '../config/schema.js';
import { certificateName } from '../config/schema.js';
import { readStatuses, type StatusRun } from '../scheduler/certificate-status.js';
import { storesFor } from '../store/store-for-config.js';

/** `keep`: nothing to obtain now (`at` says when); `issue` and `renew` happen at once. */
export interface PlanLine { name: string; action: 'issue' | 'renew' | 'keep'; reason: string; at?: string }

/** Whose plan: the daemon's (`run`, the default) or one `issue` run's, with its --cert and --force. */
export interface PlanOptions { run?: StatusRun; only?: string[]; force?: boolean }

/**
 * What `run` (or one `issue`) would do now, from the store alone: nothing is written and no CA
 * or DNS server is asked (so an ARI window is the one last stored, not a fresh answer).
 */
export async function planCertificates(config: Config, signal: AbortSignal, now = Date.now(), opts: PlanOptions = {}): Promise<PlanLine[]> {
  const selected = opts.only?.length ? { ...config, certificates: config.certificates.filter((c) => opts.only!.includes(certificateName(c))) } : config;
  const stores = storesFor(config);
  let statuses;
  try {
    statuses = await readStatuses(selected, stores.store, now, signal, opts.run ?? 'daemon');
  } finally {
    await stores.close();
  }
  return statuses.map((s): PlanLine => {
    if (opts.force) return { name: s.name, action: s.stored ? 'renew' : 'issue', reason: 'forced' };
    return s.action === 'wait'
      ? { name: s.name, action: 'keep', reason: s.decision.reason, at: new Date(s.dueAt).toISOString() }
      : { name: s.name, action: s.action, reason: s.decision.reason };
  });
}
