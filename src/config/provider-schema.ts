import { z } from 'zod';
import { acmeDnsProvider } from './providers/acme-dns.js';
import { cloudflareProvider } from './providers/cloudflare.js';
import { desecProvider } from './providers/desec.js';
import { dnsimpleProvider } from './providers/dnsimple.js';
import { execProvider } from './providers/exec.js';
import { godaddyProvider } from './providers/godaddy.js';
import { infomaniakProvider } from './providers/infomaniak.js';
import { porkbunProvider } from './providers/porkbun.js';
import { powerdnsProvider } from './providers/powerdns.js';
import { rfc2136Provider } from './providers/rfc2136.js';
import { technitiumProvider } from './providers/technitium.js';

/** One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts. */
export const providerSchema = z.discriminatedUnion('type', [
  acmeDnsProvider,
  cloudflareProvider,
  desecProvider,
  dnsimpleProvider,
  execProvider,
  godaddyProvider,
  infomaniakProvider,
  porkbunProvider,
  powerdnsProvider,
  rfc2136Provider,
  technitiumProvider,
]);

export type ProviderConfig = z.output<typeof providerSchema>;
