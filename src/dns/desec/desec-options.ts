import type { FetchLike } from '../../http/pool-fetch.js';

export const DESEC_API = 'https://desec.io/api/v1';

export interface DesecOptions {
  id: string;
  /** A deSEC API token (`Authorization: Token …`). */
  token: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  fetch?: FetchLike;
}
