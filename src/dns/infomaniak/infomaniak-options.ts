import type { FetchLike } from '../../http/pool-fetch.js';

export const INFOMANIAK_API = 'https://api.infomaniak.com';

export interface InfomaniakOptions {
  id: string;
  /** An API token with the `domain` scope (`Authorization: Bearer …`). */
  token: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
}
