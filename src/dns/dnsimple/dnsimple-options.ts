import type { FetchLike } from '../../http/pool-fetch.js';

export const DNSIMPLE_API = 'https://api.dnsimple.com/v2';

export interface DnsimpleOptions {
  id: string;
  /** An account or user API token (`Authorization: Bearer …`). */
  token: string;
  /** The account that has the zones; without it, the one account the token reaches (GET /accounts). */
  accountId?: string;
  /** The API base (https://api.sandbox.dnsimple.com/v2 for the sandbox); tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
}
