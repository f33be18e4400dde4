import { certificateName, type Config } from '../config/schema.js';
import { decideRenewal, type CertificateFacts, type Decision, type RenewalState } from '../scheduler/renewal-policy.js';
import type { CertificateMeta, CertificateStore } from '../store/certificate-store.js';

type CertificateSpec = Config['certificates'][number];

/** A certificate as the store has it, with the renewal decision for it now. */
export interface CertificateStatus {
  name: string;
  meta: CertificateMeta | undefined;
  state: RenewalState;
  decision: Decision;
}

/** The renewal decision for `spec` from what is stored: no I/O. `directory` is the CA the config wants. */
export function decideFor(spec: CertificateSpec, directory: string, meta: CertificateMeta | undefined, state: RenewalState, now: number): Decision {
  return decideRenewal(meta && factsOf(meta), { domains: spec.domains, keyType: spec.key_type, directory }, state, now);
}

/**
 * The one status query: what `list`, `run --dry-run` and the pipeline's first look read and
 * decide. Reads only; nothing is written and no CA is asked.
 */
export async function certificateStatus(store: Pick<CertificateStore, 'readMeta' | 'readState'>, spec: CertificateSpec, directory: string, now: number, signal: AbortSignal): Promise<CertificateStatus> {
  const name = certificateName(spec);
  const [meta, { state }] = await Promise.all([store.readMeta(name, signal), store.readState(name, signal)]);
  return { name, meta, state, decision: decideFor(spec, directory, meta, state, now) };
}

export function factsOf(meta: CertificateMeta): CertificateFacts {
  return { domains: meta.domains, keyType: meta.keyType, notBefore: meta.notBefore, notAfter: meta.notAfter, serial: meta.serial, directory: meta.directory };
}
