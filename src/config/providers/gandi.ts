import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const gandiProvider = () => z.strictObject({
  type: z.literal('gandi'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  personal_access_token: secret.optional().describe('A personal access token (Authorization: Bearer); preferred.'),
  api_key: secret.optional().describe('The older, deprecated API key (Authorization: Apikey).'),
  api_url: z.url().default('https://api.gandi.net/v5/livedns').describe('Only for tests, the sandbox (https://api.sandbox.gandi.net/v5/livedns) and API proxies.'),
  ttl: z.number().int().min(300).max(2_592_000).default(300).describe('LiveDNS takes 300 s to 30 days.'),
  propagation,
}).superRefine((p, ctx) => {
  if (!p.personal_access_token === !p.api_key) ctx.addIssue({ code: 'custom', path: ['personal_access_token'], message: 'expected personal_access_token (or the deprecated api_key), one of the two' });
});
