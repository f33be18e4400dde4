import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const vultrProvider = () => z.strictObject({
  type: z.literal('vultr'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_key: secret.describe('A Vultr API key whose access control allows this machine\'s address.'),
  api_url: z.url().default('https://api.vultr.com/v2').describe('Only for tests and API proxies.'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
