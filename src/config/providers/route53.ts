import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const route53Provider = z.strictObject({
  type: z.literal('route53'),
  /** PEM file of a private CA to trust for this API's TLS (verification is never turned off). */
  ca_bundle: z.string().optional(),
  /** Static keys; without them: AWS_* env, the shared credentials file, then web identity (IRSA). */
  access_key_id: z.string().min(16).optional(),
  secret_access_key: secret.optional(),
  session_token: secret.optional(),
  /** A profile of ~/.aws/credentials (else AWS_PROFILE, else default). */
  profile: z.string().min(1).optional(),
  /** Private hosted zones (VPC) instead of public ones. */
  private_zone: z.boolean().default(false),
  /** Only for tests and API proxies. */
  api_url: z.url().default('https://route53.amazonaws.com'),
  /** STS for web identity; default regional from AWS_REGION, else global. */
  sts_url: z.url().optional(),
  ttl: z.number().int().min(0).max(2_147_483_647).default(60),
  propagation,
}).refine((r) => (r.access_key_id === undefined) === (r.secret_access_key === undefined), { message: 'expected access_key_id and secret_access_key together (or neither, for the default credential sources)', path: ['secret_access_key'] })
  .refine((r) => r.session_token === undefined || r.access_key_id !== undefined, { message: 'session_token goes with access_key_id and secret_access_key', path: ['session_token'] });
