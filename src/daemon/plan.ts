import type { Config } from '../config/schema.js';
import { readStatuses } from '../scheduler/certificate-status.js';
import { storeFor } from '../store/store-for-config.js';

/** `keep`: nothing to obtain now (`at` says when); `issue` and `renew` happen at once. */
export interface PlanLine { name: string; action: 'issue' | 'renew' | 'keep'; reason: string; at?: string }

/**
 * What `run` would do now, from the store alone: nothing is written and no CA or DNS server is
 * asked (so an ARI window is the one last stored, not a fresh answer).
 */
export async function planCertificates(config: Config, signal: AbortSignal, now = Date.now()): Promise<PlanLine[]> {
  const statuses = await readStatuses(config, storeFor(config), now, signal);
  return statuses.map((s) => (s.action === 'wait'
    ? { name: s.name, action: 'keep', reason: s.decision.reason, at: new Date(s.dueAt).toISOString() }
    : { name: s.name, action: s.action, reason: s.decision.reason }));
}
