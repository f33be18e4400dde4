import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

/** The fields of a service-account key the provider needs; checked here so check-config says which is missing. */
const KEY_FIELDS = ['client_email', 'private_key'] as const;

export const googleCloudDnsProvider = () => z.strictObject({
  type: z.literal('google-cloud-dns'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  service_account_key: secret.optional().describe('A service-account JSON key (usually `service_account_key_file`); without one, the metadata server\'s token (GCE, GKE workload identity).'),
  project: z.string().min(1).optional().describe('The project of the managed zones; default: the key\'s project_id, else the metadata server\'s project.'),
  api_url: z.url().default('https://dns.googleapis.com/dns/v1').describe('Only for tests and API proxies.'),
  token_url: z.url().optional().describe('The token endpoint instead of the key\'s token_uri; only for tests and proxies.'),
  metadata_url: z.url().default('http://metadata.google.internal/computeMetadata/v1').describe('The metadata server; only for tests.'),
  ttl: z.number().int().min(1).default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
}).superRefine((p, ctx) => {
  if (!p.service_account_key) return;
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(p.service_account_key.reveal()) as Record<string, unknown>;
  } catch {
    ctx.addIssue({ code: 'custom', path: ['service_account_key'], message: 'expected a service-account JSON key (the file Google Cloud gives for a service account key)' });
    return;
  }
  for (const f of KEY_FIELDS) {
    if (typeof key[f] !== 'string' || key[f] === '') ctx.addIssue({ code: 'custom', path: ['service_account_key', f], message: 'expected a string: is it a service-account key (type "service_account")?' });
  }
  if (!p.project && typeof key.project_id !== 'string') ctx.addIssue({ code: 'custom', path: ['project'], message: 'the key has no project_id: give the project' });
});
