import type { FetchLike } from '../../http/pool-fetch.js';

export const LINODE_API = 'https://api.linode.com/v4';

export interface LinodeOptions {
  id: string;
  /** A personal access token (API v4) with the Domains scope. */
  apiToken: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
  /** Retries of a 429 or a 5xx (ProviderHttp's default when unset). */
  maxRetries?: number;
}
