import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const vultrProvider = z.strictObject({
  type: z.literal('vultr'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** A Vultr API key whose access control allows this machine's address. */
  api_key: secret,
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://api.vultr.com/v2'),
  ttl: z.number().int().positive().default(60),
  propagation,
});
