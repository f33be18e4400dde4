import { z } from 'zod';
import { acmeDnsProvider } from './providers/acme-dns.js';
import { azureProvider } from './providers/azure.js';
import { cloudflareProvider } from './providers/cloudflare.js';
import { desecProvider } from './providers/desec.js';
import { digitaloceanProvider } from './providers/digitalocean.js';
import { dnsimpleProvider } from './providers/dnsimple.js';
import { execProvider } from './providers/exec.js';
import { gandiProvider } from './providers/gandi.js';
import { godaddyProvider } from './providers/godaddy.js';
import { googleCloudDnsProvider } from './providers/google-cloud-dns.js';
import { hetznerProvider } from './providers/hetzner.js';
import { infomaniakProvider } from './providers/infomaniak.js';
import { lexiconProvider } from './providers/lexicon.js';
import { linodeProvider } from './providers/linode.js';
import { ovhProvider } from './providers/ovh.js';
import { porkbunProvider } from './providers/porkbun.js';
import { powerdnsProvider } from './providers/powerdns.js';
import { rfc2136Provider } from './providers/rfc2136.js';
import { route53Provider } from './providers/route53.js';
import { technitiumProvider } from './providers/technitium.js';
import { vultrProvider } from './providers/vultr.js';

/** One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts. */
export const providerSchema = z.discriminatedUnion('type', [
  acmeDnsProvider,
  azureProvider,
  cloudflareProvider,
  desecProvider,
  digitaloceanProvider,
  dnsimpleProvider,
  execProvider,
  gandiProvider,
  godaddyProvider,
  googleCloudDnsProvider,
  hetznerProvider,
  infomaniakProvider,
  lexiconProvider,
  linodeProvider,
  ovhProvider,
  porkbunProvider,
  powerdnsProvider,
  rfc2136Provider,
  route53Provider,
  technitiumProvider,
  vultrProvider,
]);

export type ProviderConfig = z.output<typeof providerSchema>;
