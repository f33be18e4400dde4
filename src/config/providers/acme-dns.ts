import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

const acmeDnsAccount = z.object({
  username: z.string().min(1),
  password: secret,
  subdomain: z.string().min(1),
  fulldomain: z.string().optional(),
});

export const acmeDnsProvider = z.strictObject({
  type: z.literal('acme-dns'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  api_url: z.url(),
  /** Credentials per domain, as `certfleet acme-dns register` writes them (or `accounts_file`: that JSON). */
  accounts: z.record(z.string(), acmeDnsAccount).default({}),
  ttl: z.number().int().positive().default(60),
  propagation,
});
