import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const cloudflareProvider = z.strictObject({
  type: z.literal('cloudflare'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** An API token with Zone:Read and DNS:Edit (not the global API key). */
  api_token: secret,
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://api.cloudflare.com/client/v4'),
  ttl: z.number().int().min(60).default(120),
  propagation,
});
