import type { ApiClientOptions } from '../provider-http.js';

/** The production API; the sandbox is https://api.sandbox.dnsimple.com/v2. */
export const DNSIMPLE_API = 'https://api.dnsimple.com/v2';

export interface DnsimpleOptions extends ApiClientOptions {
  /** An account or user API token (`Authorization: Bearer …`). */
  token: string;
  /** The account that has the zones; without it, the one account the token reaches (GET /accounts). */
  accountId?: string;
}
