import type { KeyObject } from 'node:crypto';
import type { RenewalInfo } from '../acme/renewal-info.js';
import type { DnsMapping } from '../solver/dns-router.js';
import type { Lease } from '../store/certificate-store.js';

/** What the pipeline asks an issuer for: a certificate for `domains` on the key it generated (or kept). */
export interface IssueRequest {
  /** The certificate's name (for messages and the solver's ledger). */
  name: string;
  domains: string[];
  /** The key, still being generated: an issuer may start its order before it is ready. */
  key: Promise<KeyObject>;
  /** ARI identifier of the certificate this one replaces (RFC 9773 §5); used where the CA speaks ARI. */
  replaces?: string | undefined;
  /** How the certificate's challenge names are routed to DNS providers (DNS-01 issuers). */
  dns: DnsMapping;
  followCnames: boolean;
  profile?: string | undefined;
  /** The certificate's lease: what the issuer notes in the certificate's state is written under it. */
  lease: Lease;
  /**
   * Takes work that must finish before the lease is released but need not delay the certificate
   * (DNS cleanup beside finalize, download and save); the pipeline awaits it before releasing.
   */
  background: (task: Promise<void>) => void;
}

/** The issuer's answer: the chain, leaf first; the pipeline checks it against the key and saves it. */
export interface IssuedCertificate {
  /** PEM certificates, leaf first. */
  chain: string[];
  /** The account URL that ordered it ('' without one). */
  account: string;
  orderUrl: string;
  /** Which CA issued it (the ACME directory URL, or 'selfsigned'): a change of CA re-issues. */
  directory: string;
}

/** The value of `acme.directory` that selects the self-signed development issuer (also its issuer key). */
export const SELF_SIGNED = 'selfsigned';

/** renewalInfo's answer for a CA that has no ARI at all (the pipeline stops asking). */
export const ARI_UNSUPPORTED = 'unsupported';

/**
 * Where certificates come from. Issuers never save: the pipeline generates the key, asks, checks
 * and saves under its lease, so a new issuer slots in without touching storage.
 */
export interface Issuer {
  /** CA plus account: namespaces account storage (staging never shares an account with production). */
  readonly key: string;
  issue(req: IssueRequest, signal: AbortSignal): Promise<IssuedCertificate>;
  /**
   * The CA's suggested renewal window (RFC 9773) for a stored certificate, undefined when the CA
   * answers with no usable window, ARI_UNSUPPORTED when it does not offer ARI.
   */
  renewalInfo?(cert: { ariCertId: string | undefined; certPem: () => Promise<string> }, signal: AbortSignal): Promise<RenewalInfo | undefined | typeof ARI_UNSUPPORTED>;
  /**
   * True when what an earlier process learned of the CA (kept in the account store) says it
   * offers no ARI; never asks the CA. A start plans without asking renewalInfo per certificate.
   */
  knownWithoutRenewalInfo?(signal: AbortSignal): Promise<boolean>;
  /** Revokes a certificate it issued (RFC 5280 reason code). */
  revoke?(certPem: string, reason: number, signal: AbortSignal): Promise<void>;
  /** Waits for and releases what it holds (connections; an ACME issuer saves the CA's learned pace). */
  close(): Promise<void>;
}
