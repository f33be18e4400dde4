/** Typed errors with stable codes; see docs/errors.md for the table. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DOMAIN_INVALID'
  | 'KEY_TYPE_INVALID'
  | 'ACME_PROBLEM'
  | 'ACME_UNREACHABLE'
  | 'ACME_BAD_RESPONSE'
  | 'ACME_ORDER_INVALID'
  | 'DNS_PROVIDER'
  | 'DNS_AUTH'
  | 'DNS_ZONE_NOT_FOUND'
  | 'DNS_PROPAGATION_TIMEOUT'
  | 'DNS_CNAME'
  | 'DNS_NO_PROVIDER'
  | 'DEPLOY_FAILED'
  | 'STORE_KEY'
  | 'STORE_IO'
  | 'STORE_LOCKED'
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

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
