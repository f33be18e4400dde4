import type { Config } from '../config/schema.js';
import { certificateStatus } from '../issue/certificate-status.js';
import { storeFor } from '../store/store-for-config.js';

export interface PlanLine { name: string; action: 'issue' | 'renew' | 'keep'; reason: string; at?: string }

/**
 * What `run` would do now, from the store alone: nothing is written and no CA or DNS server is
 * asked (so an ARI window is the one last stored, not a fresh answer).
 */
export async function planCertificates(config: Config, signal: AbortSignal, now = Date.now()): Promise<PlanLine[]> {
  const store = storeFor(config);
  return Promise.all(config.certificates.map(async (c) => {
    const { name, meta, decision: d } = await certificateStatus(store, c, config.acme.directory, now, signal);
    if (d.due) return { name, action: meta ? 'renew' : 'issue', reason: d.reason };
    return { name, action: meta ? 'keep' : 'issue', reason: d.reason, at: new Date(d.at).toISOString() };
  }));
}
