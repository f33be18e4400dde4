import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const dnsimpleProvider = z.strictObject({
  type: z.literal('dnsimple'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** An account or user API token. */
  token: secret,
  /** The account that has the zones; needed only when the token reaches several. */
  account_id: z.union([z.string().regex(/^\d+$/, 'expected the numeric account id'), z.number().int().positive().transform(String)]).optional(),
  /** https://api.sandbox.dnsimple.com/v2 for DNSimple's sandbox; otherwise only for tests and API proxies. */
  api_url: z.url().default('https://api.dnsimple.com/v2'),
  ttl: z.number().int().min(60).default(60),
  propagation,
});
