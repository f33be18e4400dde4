import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const porkbunProvider = () => z.strictObject({
  type: z.literal('porkbun'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_key: secret.describe('The API key (pk1_…) and the secret API key (sk1_…); the domain needs "API ACCESS" turned on.'),
  secret_api_key: secret.describe('The secret API key (sk1_…).'),
  api_url: z.url().default('https://api.porkbun.com/api/json/v3').describe('Only for tests and API proxies.'),
  ttl: z.number().int().min(600).default(600).describe('Porkbun\'s minimum is 600 seconds.'),
  propagation,
});
