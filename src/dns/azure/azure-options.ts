import type { FetchLike } from '../../http/pool-fetch.js';

/** How the provider gets its Azure Resource Manager token. */
export type AzureAuth =
  /** A service principal's client secret (client credentials grant). */
  | { kind: 'client_secret'; tenantId: string; clientId: string; clientSecret: string }
  /** The VM's or App Service's managed identity; `clientId` picks a user-assigned one. */
  | { kind: 'managed_identity'; clientId?: string }
  /** AKS workload identity: a federated token file exchanged for a token (AZURE_* env fills what is not given). */
  | { kind: 'workload_identity'; tenantId?: string; clientId?: string; tokenFile?: string };

/** What create-provider hands the Azure DNS provider (from a `type: azure` entry). */
export interface AzureOptions {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  auth: AzureAuth;
  /** Azure Resource Manager; only tests, proxies and sovereign clouds change it. */
  apiUrl?: string;
  /** Microsoft Entra ID (default AZURE_AUTHORITY_HOST, else login.microsoftonline.com). */
  loginUrl?: string;
  /** The instance metadata service (managed identity on a VM); only tests change it. */
  imdsUrl?: string;
  /** The environment the identity sources read (default: process.env). */
  env?: Record<string, string | undefined>;
  fetch?: FetchLike;
}
