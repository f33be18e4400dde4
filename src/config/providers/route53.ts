import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const route53Provider = () => z.strictObject({
  type: z.literal('route53'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  access_key_id: z.string().min(16).optional().describe('Static keys; without them: AWS_* env, the shared credentials file, then web identity (IRSA).'),
  secret_access_key: secret.optional().describe('The static key\'s secret, with access_key_id.'),
  session_token: secret.optional().describe('A session token, for temporary keys.'),
  profile: z.string().min(1).optional().describe('A profile of ~/.aws/credentials (else AWS_PROFILE, else default).'),
  private_zone: z.boolean().default(false).describe('Private hosted zones (VPC) instead of public ones.'),
  api_url: z.url().default('https://route53.amazonaws.com').describe('Only for tests and API proxies.'),
  sts_url: z.url().optional().describe('STS for web identity; default regional from AWS_REGION, else global.'),
  ttl: z.number().int().min(0).max(2_147_483_647).default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
}).refine((r) => (r.access_key_id === undefined) === (r.secret_access_key === undefined), { message: 'expected access_key_id and secret_access_key together (or neither, for the default credential sources)', path: ['secret_access_key'] })
  .refine((r) => r.session_token === undefined || r.access_key_id !== undefined, { message: 'session_token goes with access_key_id and secret_access_key', path: ['session_token'] });
