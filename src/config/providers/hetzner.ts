import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const hetznerProvider = z.strictObject({
  type: z.literal('hetzner'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** `cloud`: zones in a Hetzner Cloud project (api.hetzner.cloud); `console`: the older DNS Console (dns.hetzner.com). */
  api: z.enum(['cloud', 'console']).default('cloud'),
  /** A Cloud project API token (Read & Write), or a DNS Console API token with `api: console`. */
  api_token: secret,
  /** Only for tests and API proxies; default: the chosen API's endpoint. */
  api_url: z.url().optional(),
  ttl: z.number().int().min(60).default(60),
  propagation,
});
