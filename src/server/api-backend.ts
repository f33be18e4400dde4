import type { FieldProblem } from './api-problem.js';

/** What a certificate row of the API says (JSON as sent). */
export type CertificateView = Record<string, unknown> & { name: string };

export type ListFilter = { status?: 'failing' | 'expiring'; withinMs?: number };

export type AddResult =
  | { kind: 'created' | 'replaced' | 'unchanged'; certificate: CertificateView }
  | { kind: 'invalid'; problems: FieldProblem[] }
  | { kind: 'conflict'; detail: string };

export type RemoveResult = { kind: 'removed' } | { kind: 'not_found' } | { kind: 'conflict'; detail: string };

/** Who asked for a change, for the audit line: the peer's address (the token is never logged). */
export interface Caller { peer: string }

/**
 * What the API serves, implemented by the daemon (src/daemon/managed-certificates.ts): the server
 * knows HTTP, auth and limits; the backend knows the config, the store and the scheduler.
 */
export interface CertificateBackend {
  add(entry: unknown, caller: Caller, signal: AbortSignal): Promise<AddResult>;
  remove(name: string, caller: Caller, signal: AbortSignal): Promise<RemoveResult>;
  get(name: string, signal: AbortSignal): Promise<CertificateView | undefined>;
  list(filter: ListFilter, signal: AbortSignal): Promise<CertificateView[]>;
}
