import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const porkbunProvider = z.strictObject({
  type: z.literal('porkbun'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** The API key (pk1_…) and the secret API key (sk1_…); the domain needs "API ACCESS" turned on. */
  api_key: secret,
  secret_api_key: secret,
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://api.porkbun.com/api/json/v3'),
  /** Porkbun's minimum is 600 seconds. */
  ttl: z.number().int().min(600).default(600),
  propagation,
});
