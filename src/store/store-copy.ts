import type { AccountStore, CertificateMeta, CertificateStore, Lease, StoredCertificate } from './certificate-store.js';

/** What `store migrate` needs of a store beyond the contract: both the directory and the PostgreSQL store have it. */
export interface CopyableStore extends CertificateStore, AccountStore {
  /** Every issuer key that has an account. */
  accountKeys(signal: AbortSignal): Promise<string[]>;
  /** Saves `cert` as version max(its own version, the next one): a copy keeps its version number. */
  saveCopy(cert: StoredCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta>;
}

export interface CopySummary {
  accounts: { copied: number; unchanged: number };
  certificates: { copied: string[]; unchanged: string[]; kept: string[] };
  states: number;
}

/**
 * Copies accounts, every certificate's current version (with its version number) and its
 * schedule state from `from` into `to`, each certificate under its lock in both stores, so a
 * daemon running on either is not mid-save. Nothing is ordered. Run twice, it copies nothing
 * new: a certificate `to` already has (same serial, same version) is unchanged; one whose
 * version in `to` is newer than in `from` is kept (reported), never overwritten.
 */
export async function copyStore(from: CopyableStore, to: CopyableStore, signal: AbortSignal): Promise<CopySummary> {
  const summary: CopySummary = { accounts: { copied: 0, unchanged: 0 }, certificates: { copied: [], unchanged: [], kept: [] }, states: 0 };
  for (const key of await from.accountKeys(signal)) {
    const account = await from.readAccount(key, signal);
    const there = await to.readAccount(key, signal);
    if (account && !there) {
      await to.writeAccount(key, account, signal);
      summary.accounts.copied++;
    } else {
      if (account?.url && there && there.url !== account.url) await to.writeAccount(key, { url: account.url }, signal);
      summary.accounts.unchanged++;
    }
    const pace = await from.readPace(key, signal);
    if (pace !== undefined && pace !== await to.readPace(key, signal)) await to.writePace(key, pace, signal);
    const ca = await from.readIssuerCertificate(key, signal);
    if (ca !== undefined && ca !== await to.readIssuerCertificate(key, signal)) await to.writeIssuerCertificate(key, ca, signal);
  }
  for (const { name } of await from.list(signal)) {
    await using _source = await from.lock(name, signal);
    await using lease = await to.lock(name, signal);
    const cert = await from.load(name, signal);
    if (!cert) continue;
    const there = await to.readMeta(name, signal);
    if (there && there.serial === cert.meta.serial && there.version === cert.meta.version) {
      summary.certificates.unchanged.push(name);
    } else if (there && there.version > cert.meta.version) {
      summary.certificates.kept.push(name);
      continue;
    } else {
      await to.saveCopy(cert, lease, signal);
      summary.certificates.copied.push(name);
    }
    const state = await from.readState(name, signal);
    const current = await to.readState(name, signal);
    if (state.version > 0 && canonical(current.state) !== canonical(state.state)) {
      await to.writeState(name, state.state, { lease }, signal);
      summary.states++;
    }
  }
  return summary;
}

/** JSON with keys sorted at every level: PostgreSQL's jsonb does not keep the order a file has. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}
