import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const godaddyProvider = () => z.strictObject({
  type: z.literal('godaddy'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_key: secret.describe('A production API key and its secret (developer.godaddy.com → API Keys).'),
  api_secret: secret.describe('The API key\'s secret.'),
  api_url: z.url().default('https://api.godaddy.com/v1').describe('https://api.ote-godaddy.com/v1 for GoDaddy\'s test environment; otherwise only for tests and API proxies.'),
  ttl: z.number().int().min(600).default(600).describe('GoDaddy\'s minimum is 600 seconds.'),
  propagation,
});
