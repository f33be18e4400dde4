import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

/** The APIs by the names OVH's own clients give them (python-ovh, go-ovh). */
export const OVH_ENDPOINTS = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
  'kimsufi-eu': 'https://eu.api.kimsufi.com/1.0',
  'kimsufi-ca': 'https://ca.api.kimsufi.com/1.0',
  'soyoustart-eu': 'https://eu.api.soyoustart.com/1.0',
  'soyoustart-ca': 'https://ca.api.soyoustart.com/1.0',
} as const;

type Endpoint = keyof typeof OVH_ENDPOINTS;

export const ovhProvider = () => z.strictObject({
  type: z.literal('ovh'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  endpoint: z.enum(Object.keys(OVH_ENDPOINTS) as [Endpoint, ...Endpoint[]]).default('ovh-eu').describe('The API, by the name OVH\'s own clients give it.'),
  api_url: z.url().optional().describe('Instead of the endpoint\'s URL; only for tests and API proxies.'),
  application_key: z.string().min(1).describe('The application key (createToken).'),
  application_secret: secret.describe('The application secret.'),
  consumer_key: secret.describe('The consumer key, with rights on /domain/zone.'),
  ttl: z.number().int().min(60).default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
