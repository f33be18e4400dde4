import { z } from 'zod';
import { secret, duration, propagation } from '../schema-parts.js';

export const technitiumProvider = () => z.strictObject({
  type: z.literal('technitium'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_url: z.url().describe('The Technitium DNS Server\'s web API.'),
  token: secret.optional().describe('A permanent API token (preferred); or username and password for a login session.'),
  username: z.string().min(1).optional().describe('For a login session, when no token is given.'),
  password: secret.optional().describe('For a login session, with username.'),
  expiry_ttl: duration.default(86_400_000).describe('The server deletes a challenge record by itself after this long, should cleanup never come.'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
}).refine((t) => t.token !== undefined || (t.username !== undefined && t.password !== undefined), 'expected token, or username and password');
