import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const gandiProvider = z.strictObject({
  type: z.literal('gandi'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** A personal access token (Authorization: Bearer); preferred. */
  personal_access_token: secret.optional(),
  /** The older, deprecated API key (Authorization: Apikey). */
  api_key: secret.optional(),
  /** Only for tests, the sandbox (https://api.sandbox.gandi.net/v5/livedns) and API proxies. */
  api_url: z.url().default('https://api.gandi.net/v5/livedns'),
  /** LiveDNS takes 300 s to 30 days. */
  ttl: z.number().int().min(300).max(2_592_000).default(300),
  propagation,
}).superRefine((p, ctx) => {
  if (!p.personal_access_token === !p.api_key) ctx.addIssue({ code: 'custom', path: ['personal_access_token'], message: 'expected personal_access_token (or the deprecated api_key), one of the two' });
});
