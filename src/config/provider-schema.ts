import { z } from 'zod';
import { didYouMeanHint } from '../did-you-mean.js';
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

const PROVIDER_OPTIONS = [
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
] as const;

/** The `type` values, in the order of the union: for messages and docs/config.md. */
export const PROVIDER_TYPES: readonly string[] = PROVIDER_OPTIONS.flatMap((o) => [...(o._zod.propValues?.type ?? [])].map(String));

/** Unknown or missing `type`: the types there are, and the one a typo most likely meant. */
function providerTypeMessage(input: unknown): string {
  const list = PROVIDER_TYPES.join(', ');
  const type = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>).type : undefined;
  if (type === undefined) return `required: the provider type, one of ${list}`;
  if (typeof type !== 'string') return `expected a provider type, one of ${list}`;
  return `unknown provider type ${JSON.stringify(type)}${didYouMeanHint(type, PROVIDER_TYPES)}; expected one of ${list}`;
}

/** One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts. */
export const providerSchema = z.discriminatedUnion('type', PROVIDER_OPTIONS, {
  error: (iss) => (iss.code === 'invalid_union' ? providerTypeMessage(iss.input) : undefined),
});

export type ProviderConfig = z.output<typeof providerSchema>;
