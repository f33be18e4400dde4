import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

const acmeDnsAccount = () => z.object({
  username: z.string().min(1).describe('The account\'s username (from /register).'),
  password: secret.describe('The account\'s password.'),
  subdomain: z.string().min(1).describe('The account\'s subdomain, where _acme-challenge.<domain> points.'),
  fulldomain: z.string().optional().describe('The CNAME target, as /register returned it (informational).'),
});

export const acmeDnsProvider = () => z.strictObject({
  type: z.literal('acme-dns'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_url: z.url().describe('The acme-dns server.'),
  accounts: z.record(z.string(), acmeDnsAccount()).default({}).describe('Credentials per domain, as `certfleet acme-dns register` writes them (or `accounts_file`: that JSON).'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
