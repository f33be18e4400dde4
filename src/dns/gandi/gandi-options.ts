import type { FetchLike } from '../../http/pool-fetch.js';

export const GANDI_LIVEDNS_API = 'https://api.gandi.net/v5/livedns';

export interface GandiOptions {
  id: string;
  /** A personal access token (sent as `Authorization: Bearer`); preferred. */
  personalAccessToken?: string;
  /** The deprecated API key (sent as `Authorization: Apikey`), when there is no token. */
  apiKey?: string;
  /** The LiveDNS base; only tests, the sandbox and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
}
