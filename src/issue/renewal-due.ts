import type { CertificateMeta } from '../store/file-store.js';

/**
 * Whether a stored certificate needs renewing now (without ARI): when a third of
 * its lifetime remains, or half for certificates that live under ten days; or
 * when its domains or key type changed.
 */
export function renewalDue(meta: CertificateMeta | undefined, wanted: { domains: string[]; keyType: string }, now = Date.now()): { due: boolean; reason: string } {
  if (!meta) return { due: true, reason: 'no certificate yet' };
  if ([...meta.domains].sort().join(',') !== [...wanted.domains].sort().join(',')) return { due: true, reason: 'domains changed' };
  if (meta.keyType !== wanted.keyType) return { due: true, reason: 'key type changed' };
  const start = Date.parse(meta.notBefore);
  const end = Date.parse(meta.notAfter);
  const lifetime = end - start;
  const ratio = lifetime < 10 * 86_400_000 ? 1 / 2 : 1 / 3;
  const renewAt = end - lifetime * ratio;
  return now >= renewAt ? { due: true, reason: 'renewal window reached' } : { due: false, reason: `renew after ${new Date(renewAt).toISOString()}` };
}
