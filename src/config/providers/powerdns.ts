import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const powerdnsProvider = () => z.strictObject({
  type: z.literal('powerdns'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  api_url: z.url().describe('The PowerDNS HTTP API (webserver-address / api).'),
  api_key: secret.describe('The API key (api-key in pdns.conf).'),
  server_id: z.string().default('localhost').describe('The server id in the API\'s paths.'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
