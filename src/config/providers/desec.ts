import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const desecProvider = z.strictObject({
  type: z.literal('desec'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** A deSEC API token. */
  token: secret,
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://desec.io/api/v1'),
  /** deSEC refuses TTLs below the domain's minimum_ttl (3600 unless deSEC lowered it for the domain). */
  ttl: z.number().int().positive().default(3600),
  propagation,
});
