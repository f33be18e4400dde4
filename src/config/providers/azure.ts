import { z } from 'zod';
import { secret, propagation } from '../schema-parts.js';

export const azureProvider = () => z.strictObject({
  type: z.literal('azure'),
  ca_bundle: z.string().optional().describe('PEM file of a private CA to trust for this API\'s TLS (verification is never turned off).'),
  subscription_id: z.string().min(1).describe('The subscription that holds the DNS zones.'),
  resource_group: z.string().min(1).describe('The resource group of the DNS zones.'),
  auth: z.enum(['client_secret', 'managed_identity', 'workload_identity']).default('client_secret').describe('client_secret: a service principal; managed_identity: the VM\'s or App Service\'s; workload_identity: AKS.'),
  tenant_id: z.string().min(1).optional().describe('The Entra ID tenant (auth: client_secret).'),
  client_id: z.string().min(1).optional().describe('The app registration (client_secret, workload_identity) or a user-assigned identity (managed_identity).'),
  client_secret: secret.optional().describe('The service principal\'s secret (auth: client_secret).'),
  federated_token_file: z.string().min(1).optional().describe('Workload identity\'s token file (default AZURE_FEDERATED_TOKEN_FILE).'),
  api_url: z.url().default('https://management.azure.com').describe('Only for tests, proxies and sovereign clouds.'),
  login_url: z.url().optional().describe('Entra ID; default AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com.'),
  ttl: z.number().int().min(1).max(2_147_483_647).default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
}).superRefine((a, ctx) => {
  if (a.auth === 'client_secret') {
    for (const k of ['tenant_id', 'client_id', 'client_secret'] as const) {
      if (a[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `auth: client_secret needs tenant_id, client_id and client_secret` });
    }
  } else if (a.client_secret !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['client_secret'], message: `client_secret is only for auth: client_secret (auth is ${a.auth})` });
  }
  if (a.federated_token_file !== undefined && a.auth !== 'workload_identity') ctx.addIssue({ code: 'custom', path: ['federated_token_file'], message: 'federated_token_file is only for auth: workload_identity' });
});
