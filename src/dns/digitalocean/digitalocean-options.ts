import type { FetchLike } from '../../http/pool-fetch.js';

export const DIGITALOCEAN_API = 'https://api.digitalocean.com/v2';

export interface DigitalOceanOptions {
  id: string;
  /** A personal access token (API v2). */
  apiToken: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
  /** Retries of a 429 or a 5xx (ProviderHttp's default when unset). */
  maxRetries?: number;
}
