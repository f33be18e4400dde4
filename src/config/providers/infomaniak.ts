import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const infomaniakProvider = () => z.strictObject({
  type: z.literal('infomaniak'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  token: secret.describe('An API token with the "domain" scope.'),
  api_url: z.url().default('https://api.infomaniak.com').describe('Only for tests and API proxies.'),
  ttl: z.number().int().positive().default(300).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
