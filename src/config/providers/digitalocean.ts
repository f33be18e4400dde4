import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const digitaloceanProvider = z.strictObject({
  type: z.literal('digitalocean'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** A personal access token with write scope (or the domain scopes). */
  api_token: secret,
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://api.digitalocean.com/v2'),
  /** DigitalOcean refuses TTLs below 30 seconds. */
  ttl: z.number().int().min(30).default(60),
  propagation,
});
