import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const hetznerProvider = () => z.strictObject({
  type: z.literal('hetzner'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api: z.enum(['cloud', 'console']).default('cloud').describe('`cloud`: zones in a Hetzner Cloud project (api.hetzner.cloud); `console`: the older DNS Console (dns.hetzner.com).'),
  api_token: secret.describe('A Cloud project API token (Read & Write), or a DNS Console API token with `api: console`.'),
  api_url: z.url().optional().describe('Only for tests and API proxies; default: the chosen API\'s endpoint.'),
  ttl: z.number().int().min(60).default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
