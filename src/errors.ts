import { processRedactor } from './redaction.js';

/** Typed errors with stable codes; see docs/errors.md for the table. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DOMAIN_INVALID'
  | 'KEY_TYPE_INVALID'
  | 'ACME_PROBLEM'
  | 'ACME_UNREACHABLE'
  | 'ACME_BAD_RESPONSE'
  | 'ACME_ORDER_INVALID'
  | 'ISSUANCE_TIMEOUT'
  | 'DNS_PROVIDER'
  | 'DNS_AUTH'
  | 'DNS_ZONE_NOT_FOUND'
  | 'DNS_PROPAGATION_TIMEOUT'
  | 'DNS_CNAME'
  | 'DNS_NO_PROVIDER'
  | 'DNS_LOOKUP'
  | 'DEPLOY_FAILED'
  | 'STORE_KEY'
  | 'STORE_IO'
  | 'STORE_LOCKED'
  | 'STORE_FENCED'
  | 'STORE_CONFLICT'
  | 'STORE_DB'
  | 'STORE_SCHEMA'
  | 'ABORTED';

export class CertfleetError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CertfleetError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

/**
 * The text of an error, with every known secret redacted: this is what reaches state files,
 * stdout, `list` and notifications (an API that echoes its request headers must not leak the key).
 */
export function errorMessage(err: unknown): string {
  return processRedactor.redact(err instanceof Error ? err.message : String(err));
}
