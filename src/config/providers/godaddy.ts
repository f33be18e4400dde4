import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const godaddyProvider = z.strictObject({
  type: z.literal('godaddy'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** A production API key and its secret (developer.godaddy.com → API Keys). */
  api_key: secret,
  api_secret: secret,
  /** https://api.ote-godaddy.com/v1 for GoDaddy's test environment; otherwise only for tests and API proxies. */
  api_url: z.url().default('https://api.godaddy.com/v1'),
  /** GoDaddy's minimum is 600 seconds. */
  ttl: z.number().int().min(600).default(600),
  propagation,
});
