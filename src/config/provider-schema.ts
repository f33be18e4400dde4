import { z } from 'zod';
import { acmeDnsProvider } from './providers/acme-dns.js';
import { cloudflareProvider } from './providers/cloudflare.js';
import { digitaloceanProvider } from './providers/digitalocean.js';
import { execProvider } from './providers/exec.js';
import { hetznerProvider } from './providers/hetzner.js';
import { lexiconProvider } from './providers/lexicon.js';
import { linodeProvider } from './providers/linode.js';
import { powerdnsProvider } from './providers/powerdns.js';
import { rfc2136Provider } from './providers/rfc2136.js';
import { technitiumProvider } from './providers/technitium.js';
import { vultrProvider } from './providers/vultr.js';

/** One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts. */
export const providerSchema = z.discriminatedUnion('type', [
  acmeDnsProvider,
  cloudflareProvider,
  digitaloceanProvider,
  execProvider,
  hetznerProvider,
  lexiconProvider,
  linodeProvider,
  powerdnsProvider,
  rfc2136Provider,
  technitiumProvider,
  vultrProvider,
]);

export type ProviderConfig = z.output<typeof providerSchema>;
