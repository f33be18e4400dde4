import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const digitaloceanProvider = () => z.strictObject({
  type: z.literal('digitalocean'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_token: secret.describe('A personal access token with write scope (or the domain scopes).'),
  api_url: z.url().default('https://api.digitalocean.com/v2').describe('Only for tests and API proxies.'),
  ttl: z.number().int().min(30).default(60).describe('DigitalOcean refuses TTLs below 30 seconds.'),
  propagation,
});
