import { z } from 'zod';
import { acmeDnsProvider } from './providers/acme-dns.js';
import { azureProvider } from './providers/azure.js';
import { cloudflareProvider } from './providers/cloudflare.js';
import { execProvider } from './providers/exec.js';
import { powerdnsProvider } from './providers/powerdns.js';
import { rfc2136Provider } from './providers/rfc2136.js';
import { route53Provider } from './providers/route53.js';
import { technitiumProvider } from './providers/technitium.js';

/** One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts. */
export const providerSchema = z.discriminatedUnion('type', [
  acmeDnsProvider,
  azureProvider,
  cloudflareProvider,
  execProvider,
  powerdnsProvider,
  rfc2136Provider,
  route53Provider,
  technitiumProvider,
]);

export type ProviderConfig = z.output<typeof providerSchema>;
