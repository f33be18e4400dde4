import type { FetchLike } from '../../http/pool-fetch.js';

export const GOOGLE_CLOUD_DNS_API = 'https://dns.googleapis.com/dns/v1';
/** The GCE / GKE metadata server (workload identity answers here too). */
export const GOOGLE_METADATA_URL = 'http://metadata.google.internal/computeMetadata/v1';
/** Where a key without `token_uri` gets its tokens (the endpoint the recordings show). */
export const GOOGLE_TOKEN_URL = 'https://www.googleapis.com/oauth2/v4/token';

export interface GoogleCloudDnsOptions {
  id: string;
  /** A service-account JSON key; without one, tokens come from the metadata server. */
  serviceAccountKey?: string;
  /** The project of the managed zones; default: the key's `project_id`, else the metadata server's. */
  project?: string;
  /** The API base; only tests and proxies change it. */
  apiUrl?: string;
  /** The metadata server's base; only tests change it. */
  metadataUrl?: string;
  /** The token endpoint instead of the key's `token_uri`; only tests and proxies change it. */
  tokenUrl?: string;
  fetch?: FetchLike;
  /** The clock, in ms (tests). */
  now?: () => number;
}
