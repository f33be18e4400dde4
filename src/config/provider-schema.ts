import { z } from 'zod';
import { didYouMeanHint } from '../did-you-mean.js';
import { dispatchBy } from './zod-def.js';
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

/**
 * Each provider type's schema, by its `type`, built on first use: a config names one or two of
 * the 21, and building all of them at import was 15-27 ms of every start (docs/benchmarks.md).
 */
const PROVIDER_BUILDERS = {
  'acme-dns': acmeDnsProvider,
  azure: azureProvider,
  cloudflare: cloudflareProvider,
  desec: desecProvider,
  digitalocean: digitaloceanProvider,
  dnsimple: dnsimpleProvider,
  exec: execProvider,
  gandi: gandiProvider,
  godaddy: godaddyProvider,
  'google-cloud-dns': googleCloudDnsProvider,
  hetzner: hetznerProvider,
  infomaniak: infomaniakProvider,
  lexicon: lexiconProvider,
  linode: linodeProvider,
  ovh: ovhProvider,
  porkbun: porkbunProvider,
  powerdns: powerdnsProvider,
  rfc2136: rfc2136Provider,
  route53: route53Provider,
  technitium: technitiumProvider,
  vultr: vultrProvider,
} as const;

type ProviderType = keyof typeof PROVIDER_BUILDERS;

/** The `type` values, in the order of the union: for messages and docs/config.md (no schema is built for them). */
export const PROVIDER_TYPES: readonly string[] = Object.keys(PROVIDER_BUILDERS);

/** Unknown or missing `type`: the types there are, and the one a typo most likely meant. */
function providerTypeMessage(input: unknown): string {
  const list = PROVIDER_TYPES.join(', ');
  const type = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>).type : undefined;
  if (type === undefined) return `required: the provider type, one of ${list}`;
  if (typeof type !== 'string') return `expected a provider type, one of ${list}`;
  return `unknown provider type ${JSON.stringify(type)}${didYouMeanHint(type, PROVIDER_TYPES)}; expected one of ${list}`;
}

const unionError = (iss: z.core.$ZodRawIssue) => (iss.code === 'invalid_union' ? providerTypeMessage(iss.input) : undefined);

/** Every type's schema, in one union: for the JSON schema, docs/config.md and the config's type. */
function allProviders() {
  const b = PROVIDER_BUILDERS;
  return z.discriminatedUnion('type', [
    b['acme-dns'](), b.azure(), b.cloudflare(), b.desec(), b.digitalocean(), b.dnsimple(), b.exec(), b.gandi(), b.godaddy(), b['google-cloud-dns'](),
    b.hetzner(), b.infomaniak(), b.lexicon(), b.linode(), b.ovh(), b.porkbun(), b.powerdns(), b.rfc2136(), b.route53(), b.technitium(), b.vultr(),
  ], { error: unionError });
}

let everyProvider: ReturnType<typeof allProviders> | undefined;
/** The union of every provider type's schema (built once, on the first call). */
export function providerUnion(): ReturnType<typeof allProviders> {
  return (everyProvider ??= allProviders());
}

/**
 * The union of one type's schema, with the full union's error map: for an entry of that type it
 * parses as the full union would (the same issues, paths and messages); for an unknown or missing
 * type, any of these fails as the full union fails (no option matches, so the message lists
 * PROVIDER_TYPES).
 */
const oneTypeUnions = new Map<string, z.core.$ZodType>();
function unionOf(type: ProviderType): z.core.$ZodType {
  let u = oneTypeUnions.get(type);
  if (!u) oneTypeUnions.set(type, u = z.discriminatedUnion('type', [PROVIDER_BUILDERS[type]()], { error: unionError }));
  return u;
}

function knownType(value: unknown): ProviderType | undefined {
  const type = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).type : undefined;
  return typeof type === 'string' && Object.hasOwn(PROVIDER_BUILDERS, type) ? type as ProviderType : undefined;
}

/**
 * One `dns.providers` entry: each provider type's options live in config/providers/<type>.ts.
 * A lazy schema of the full union (its type, JSON schema and docs are the union's) that parses
 * an entry with its own type's union alone, so only the types a config names are built. The
 * override is zod's own extension point (`_zod.parse`, as its schema classes set it); `run` is
 * `parse` for a schema without checks, as zod sets it. Use it as it is: a clone (`.describe()`,
 * `.optional()`) would parse with the full union, correctly but building every type.
 */
export const providerSchema = z.lazy(providerUnion);
const parseByType: typeof providerSchema._zod.parse = (payload, ctx) => unionOf(knownType(payload.value) ?? 'exec')._zod.run(payload, ctx);
providerSchema._zod.parse = parseByType;
providerSchema._zod.run = parseByType;
// For the key hints (schema-keys.ts): the entry's own type, or every type when it names none.
dispatchBy(providerSchema, (value) => {
  const type = knownType(value);
  return type ? unionOf(type) : providerUnion();
});

/** The types whose schema has been built so far (`*` for all of them): what a test can check a start builds. */
export function builtProviderSchemas(): string[] {
  return [...oneTypeUnions.keys(), ...(everyProvider ? ['*'] : [])];
}

export type ProviderConfig = z.output<ReturnType<typeof allProviders>>;
