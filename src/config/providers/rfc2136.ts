import { z } from 'zod';
import { secret, hostPort, domain, propagation } from '../schema-parts.js';

export const rfc2136Provider = () => z.strictObject({
  type: z.literal('rfc2136'),
  server: hostPort.describe('host:port of the primary that accepts dynamic updates.'),
  key_name: z.string().min(1).describe('The TSIG key\'s name.'),
  algorithm: z.enum(['hmac-sha256', 'hmac-sha512', 'hmac-sha1']).default('hmac-sha256').describe('The TSIG algorithm.'),
  secret: secret.refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s.reveal()) && Buffer.from(s.reveal(), 'base64').length >= 16, 'expected the TSIG secret in base64 (at least 16 bytes)').describe('The TSIG secret, base64 (as tsig-keygen, keymgr and Windows print it).'),
  zone: domain.optional().describe('Writes go to this zone instead of the one found by the SOA walk.'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
