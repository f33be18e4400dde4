import type { ApiClientOptions } from '../provider-http.js';

/** The production API; its test environment (OTE) is https://api.ote-godaddy.com/v1. */
export const GODADDY_API = 'https://api.godaddy.com/v1';

export interface GodaddyOptions extends ApiClientOptions {
  /** A production API key and its secret (`Authorization: sso-key KEY:SECRET`). */
  apiKey: string;
  apiSecret: string;
}
