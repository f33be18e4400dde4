import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const desecProvider = () => z.strictObject({
  type: z.literal('desec'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  token: secret.describe('A deSEC API token.'),
  api_url: z.url().default('https://desec.io/api/v1').describe('Only for tests and API proxies.'),
  ttl: z.number().int().positive().default(3600).describe('deSEC refuses TTLs below the domain\'s minimum_ttl (3600 unless deSEC lowered it for the domain).'),
  propagation,
});
