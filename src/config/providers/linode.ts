import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const linodeProvider = () => z.strictObject({
  type: z.literal('linode'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_token: secret.describe('A personal access token with Domains Read/Write.'),
  api_url: z.url().default('https://api.linode.com/v4').describe('Only for tests and API proxies.'),
  ttl: z.number().int().positive().default(300).describe('Linode rounds a TTL to the nearest value it allows (300 is the smallest of the classic ones).'),
  propagation,
});
