import type { ApiClientOptions } from '../provider-http.js';

export const PORKBUN_API = 'https://api.porkbun.com/api/json/v3';

export interface PorkbunOptions extends ApiClientOptions {
  /** The API key (`pk1_…`) and secret API key (`sk1_…`), sent in every request's JSON body. */
  apiKey: string;
  secretApiKey: string;
}
