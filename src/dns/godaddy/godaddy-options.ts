import type { FetchLike } from '../../http/pool-fetch.js';

export const GODADDY_API = 'https://api.godaddy.com/v1';

export interface GodaddyOptions {
  id: string;
  /** A production API key and its secret (`Authorization: sso-key KEY:SECRET`). */
  apiKey: string;
  apiSecret: string;
  /** The API base (https://api.ote-godaddy.com/v1 for GoDaddy's test environment); tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
}
