import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const dnsimpleProvider = () => z.strictObject({
  type: z.literal('dnsimple'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  token: secret.describe('An account or user API token.'),
  account_id: z.union([z.string().regex(/^\d+$/, 'expected the numeric account id'), z.number().int().positive().transform(String)]).optional().describe('The account that has the zones; needed only when the token reaches several.'),
  api_url: z.url().default('https://api.dnsimple.com/v2').describe('https://api.sandbox.dnsimple.com/v2 for DNSimple\'s sandbox; otherwise only for tests and API proxies.'),
  ttl: z.number().int().min(60).default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
