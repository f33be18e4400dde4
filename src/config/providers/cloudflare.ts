import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const cloudflareProvider = () => z.strictObject({
  type: z.literal('cloudflare'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_token: secret.describe('An API token with Zone:Read and DNS:Edit (not the global API key).'),
  api_url: z.url().default('https://api.cloudflare.com/client/v4').describe('Only for tests and API proxies.'),
  ttl: z.number().int().min(60).default(120).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
