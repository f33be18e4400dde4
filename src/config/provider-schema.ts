import { z } from 'zod';
import { acmeDnsProvider } from './providers/acme-dns.js';
import { cloudflareProvider } from './providers/cloudflare.js';
import { execProvider } from './providers/exec.js';
import { gandiProvider } from './providers/gandi.js';
import { googleCloudDnsProvider } from './providers/google-cloud-dns.js';
import { ovhProvider } from './providers/ovh.js';
import { powerdnsProvider } from './providers/powerdns.js';
import { rfc2136Provider } from './providers/rfc2136.js';
import { technitiumProvider } from './providers/technitium.js';

/** One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts. */
export const providerSchema = z.discriminatedUnion('type', [
  acmeDnsProvider,
  cloudflareProvider,
  execProvider,
  gandiProvider,
  googleCloudDnsProvider,
  ovhProvider,
  powerdnsProvider,
  rfc2136Provider,
  technitiumProvider,
]);

export type ProviderConfig = z.output<typeof providerSchema>;
