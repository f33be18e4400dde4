import { z } from 'zod';
import { secret, hostPort, domain, propagation } from '../schema-parts.js';

export const rfc2136Provider = z.strictObject({
  type: z.literal('rfc2136'),
  /** host:port of the primary that accepts dynamic updates. */
  server: hostPort,
  key_name: z.string().min(1),
  algorithm: z.enum(['hmac-sha256', 'hmac-sha512', 'hmac-sha1']).default('hmac-sha256'),
  /** The TSIG secret, base64 (as tsig-keygen, keymgr and Windows print it). */
  secret: secret.refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s.reveal()) && Buffer.from(s.reveal(), 'base64').length >= 16, 'expected the TSIG secret in base64 (at least 16 bytes)'),
  /** Writes go to this zone instead of the one found by the SOA walk. */
  zone: domain.optional(),
  ttl: z.number().int().positive().default(60),
  propagation,
});
