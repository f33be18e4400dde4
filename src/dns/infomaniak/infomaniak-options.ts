import type { ApiClientOptions } from '../provider-http.js';

export const INFOMANIAK_API = 'https://api.infomaniak.com';

export interface InfomaniakOptions extends ApiClientOptions {
  /** An API token with the `domain` scope (`Authorization: Bearer …`). */
  token: string;
}
