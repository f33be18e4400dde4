import type { ApiClientOptions } from '../provider-http.js';

export const DESEC_API = 'https://desec.io/api/v1';

export interface DesecOptions extends ApiClientOptions {
  /** A deSEC API token (`Authorization: Token …`). */
  token: string;
}
