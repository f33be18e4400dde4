import type { FetchLike } from '../../http/pool-fetch.js';

/** The Hetzner Cloud API (zones and RRsets, the API recorded in test/cassettes/hetzner). */
export const HETZNER_CLOUD_API = 'https://api.hetzner.cloud/v1';
/** The older DNS Console API (dns.hetzner.com), one record per value. */
export const HETZNER_CONSOLE_API = 'https://dns.hetzner.com/api/v1';

export interface HetznerOptions {
  id: string;
  /** `cloud`: a Hetzner Cloud project API token; `console`: a DNS Console API token. */
  api: 'cloud' | 'console';
  apiToken: string;
  /** The API base; only tests and proxies change it. Default: the chosen API's endpoint. */
  apiUrl?: string;
  fetch?: FetchLike;
  /** Retries of a 429 or a 5xx (ProviderHttp's default when unset). */
  maxRetries?: number;
  /** How often an unfinished Cloud API action is asked about again, in ms. Default 500. */
  actionPollMs?: number;
}
