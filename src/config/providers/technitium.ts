import { z } from 'zod';
import { secret, duration, propagation } from '../schema-parts.js';

export const technitiumProvider = z.strictObject({
  type: z.literal('technitium'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  api_url: z.url(),
  /** A permanent API token (preferred); or username and password for a login session. */
  token: secret.optional(),
  username: z.string().min(1).optional(),
  password: secret.optional(),
  /** The server deletes a challenge record by itself after this long, should cleanup never come. */
  expiry_ttl: duration.default(86_400_000),
  ttl: z.number().int().positive().default(60),
  propagation,
}).refine((t) => t.token !== undefined || (t.username !== undefined && t.password !== undefined), 'expected token, or username and password');
