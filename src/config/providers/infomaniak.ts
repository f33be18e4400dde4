import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const infomaniakProvider = z.strictObject({
  type: z.literal('infomaniak'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** An API token with the "domain" scope. */
  token: secret,
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://api.infomaniak.com'),
  ttl: z.number().int().positive().default(300),
  propagation,
});
