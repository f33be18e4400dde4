import type { FetchLike } from '../../http/pool-fetch.js';

export const PORKBUN_API = 'https://api.porkbun.com/api/json/v3';

export interface PorkbunOptions {
  id: string;
  /** The API key (`pk1_…`) and secret API key (`sk1_…`), sent in every request's JSON body. */
  apiKey: string;
  secretApiKey: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
}
