import type { ChainEntry } from './dashboard-certificate.js';
import type { DashboardEvent } from './dashboard-events.js';

/** How the dashboard labels a certificate. */
export type CertificateState = 'valid' | 'due' | 'failing' | 'expired' | 'not issued';

/** One row of the certificate table: what the daemon's status query says about a certificate. */
export interface CertificateRow {
  name: string;
  domains: string[];
  state: CertificateState;
  /** The stored certificate's expiry (ISO) and whole days left, when one is stored. */
  notAfter?: string;
  daysLeft?: number;
  /** When it is looked at next (Unix ms) and why. */
  next: { at: number; reason: string };
  lastError?: string;
  /** When the last attempt was (ISO). */
  lastAt?: string;
}

/** The detail page of one certificate. */
export interface CertificateDetail {
  row: CertificateRow;
  /** Leaf first; empty when nothing is stored. */
  chain: ChainEntry[];
  /** The CA's renewal window (RFC 9773) for the stored serial, when the state holds one. */
  ari?: { start: string; end: string; chosen: string; explanationUrl?: string };
  /** This certificate's recent events, deploy results among them. */
  events: DashboardEvent[];
}

/** What the dashboard reads; the daemon implements it over its config, store and event ring. */
export interface DashboardSource {
  rows(signal: AbortSignal): Promise<CertificateRow[]>;
  detail(name: string, signal: AbortSignal): Promise<CertificateDetail | undefined>;
  events(): DashboardEvent[];
  now(): number;
}
