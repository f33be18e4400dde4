import type { FetchLike } from '../http/pool-fetch.js';
import { apiErrorText } from './api-error-text.js';
import { ProviderHttp } from './provider-http.js';

export interface TokenHttpOptions {
  label: string;
  baseUrl: string;
  token: string;
  authHint: string;
  /** The header that carries the token; default `Authorization: Bearer <token>`. */
  header?: (token: string) => Record<string, string>;
  fetch?: FetchLike | undefined;
  maxRetries?: number | undefined;
}

/** ProviderHttp for the APIs whose whole authentication is one static token in a header. */
export function tokenHttp(o: TokenHttpOptions): ProviderHttp {
  const header = o.header ?? ((t: string) => ({ authorization: `Bearer ${t}` }));
  return new ProviderHttp({
    label: o.label, baseUrl: o.baseUrl, authHint: o.authHint, errorDetail: apiErrorText,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}),
    auth: () => header(o.token),
    secrets: () => [o.token],
  });
}
