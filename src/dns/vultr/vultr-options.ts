import type { FetchLike } from '../../http/pool-fetch.js';

export const VULTR_API = 'https://api.vultr.com/v2';

export interface VultrOptions {
  id: string;
  /** A Vultr API key (API v2). */
  apiKey: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
  /** Retries of a 429 or a 5xx (ProviderHttp's default when unset). */
  maxRetries?: number;
}
