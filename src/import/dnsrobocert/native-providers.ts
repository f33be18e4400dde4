import { hasEnvReference } from './env-references.js';

/**
 * How one lexicon option becomes a native one. `to` is the certfleet option, or a function of the
 * value when that decides it (`value`, applied to strings, also to ones with ${VAR} in them): `null` when the native provider always does what the value asks
 * (the option is dropped), `undefined` when it cannot (the profile stays on lexicon).
 */
export interface OptionMap {
  to: string | ((v: unknown) => string | null | undefined);
  value?: (v: string) => unknown;
}

/**
 * The lexicon providers certfleet has a native provider for, and how their options are named
 * there. A profile goes native only when every option it sets maps and every `required` one is
 * set; otherwise it stays on the lexicon provider, which takes the options as they are (`why`
 * says what the user loses or keeps, for the comment). Option names are lexicon 3.11's argparse
 * dests (the introspection check-config uses, src/dns/lexicon/lexicon-catalog.ts).
 */
export interface NativeProvider {
  lexicon: string;
  type: string;
  /** lexicon option -> certfleet option, and how the value changes when it does. */
  options: Readonly<Record<string, OptionMap>>;
  /** Options the native provider cannot do without (lexicon could read them from LEXICON_* variables). */
  required: readonly string[];
  /** Options the native provider always sets this way (lexicon's provider talks to that API only). */
  fixed?: Readonly<Record<string, unknown>>;
  /** The native provider's smallest TTL (its schema): a smaller profile ttl is raised to it. */
  minTtl?: number;
  /** Why the options as a whole cannot go native (pairs that go together), or undefined. */
  check?: (options: Readonly<Record<string, unknown>>) => string | undefined;
  /** Why an option without a native counterpart (for its value) keeps the profile on lexicon. */
  why?: Readonly<Record<string, string>>;
}

const rename = (to: string): OptionMap => ({ to });

/** lexicon reads a boolean option with its str2bool ("true", "yes", "1", … are true). */
const lexiconBool = (v: string): boolean => ['true', 'yes', 'y', 'on', '1'].includes(v.trim().toLowerCase());

/**
 * lexicon's `auth_service_account_info`: `file::PATH` or `base64::<the key's JSON, base64>`. The
 * file becomes service_account_key_file (which needs an absolute path); the base64 value the key itself.
 */
const serviceAccountInfo: OptionMap = {
  to: (v) => {
    if (typeof v !== 'string' || hasEnvReference(v)) return undefined;
    if (v.startsWith('file::')) return v.slice(6).startsWith('/') ? 'service_account_key_file' : undefined;
    return v.startsWith('base64::') ? 'service_account_key' : undefined;
  },
  value: (v) => v.startsWith('file::') ? v.slice(6) : Buffer.from(v.slice(8), 'base64').toString('utf8'),
};

const GANDI_RPC = "lexicon's gandi provider uses Gandi's XML-RPC API unless api_protocol is rest; certfleet's native gandi provider speaks LiveDNS (REST) only, so check that the key works there, then use type: gandi";

export const NATIVE_PROVIDERS: readonly NativeProvider[] = [
  {
    lexicon: 'powerdns',
    type: 'powerdns',
    // lexicon appends /api/v1 unless the URL ends with it; certfleet always appends it.
    options: { auth_token: rename('api_key'), pdns_server: { to: 'api_url', value: (v) => v.replace(/\/+$/, '').replace(/\/api\/v1$/, '') }, pdns_server_id: rename('server_id') },
    required: ['auth_token', 'pdns_server'],
  },
  {
    lexicon: 'cloudflare',
    type: 'cloudflare',
    options: { auth_token: rename('api_token') },
    required: ['auth_token'],
    why: {
      auth_username: "auth_username + auth_token is Cloudflare's global API key, which certfleet's native cloudflare provider does not take (it takes an API token with Zone:Read and DNS:Edit)",
      zone_id: "zone_id lets a token scoped to one zone work without Zone:Read; certfleet's native cloudflare provider finds the zone itself and needs Zone:Read",
    },
  },
  {
    lexicon: 'route53',
    type: 'route53',
    // auth_username and auth_token are lexicon's other names for the same two keys.
    options: {
      auth_access_key: rename('access_key_id'), auth_username: rename('access_key_id'),
      auth_access_secret: rename('secret_access_key'), auth_token: rename('secret_access_key'),
      // certfleet's private_zone is a boolean, which a ${VAR} cannot give.
      private_zone: { to: (v) => hasEnvReference(v) ? undefined : 'private_zone', value: lexiconBool },
    },
    // Without keys both use AWS's default chain (environment, shared credentials file, web identity).
    required: [],
    check: (o) => ('auth_access_key' in o || 'auth_username' in o) === ('auth_access_secret' in o || 'auth_token' in o)
      ? undefined : "certfleet's native route53 provider takes the access key and its secret together (or neither, for AWS's default credential chain)",
    why: {
      private_zone: "private_zone comes from the environment; certfleet's native route53 provider needs true or false in the config",
      zone_id: "zone_id names one hosted zone; certfleet's native route53 provider finds the zone itself and needs route53:ListHostedZones",
    },
  },
  {
    lexicon: 'googleclouddns',
    type: 'google-cloud-dns',
    options: { auth_service_account_info: serviceAccountInfo },
    required: ['auth_service_account_info'],
    minTtl: 1,
    why: { auth_service_account_info: "certfleet's native google-cloud-dns provider takes the key as a file with an absolute path (file::/…) or base64:: inline, not a value from the environment or a relative path" },
  },
  {
    lexicon: 'azure',
    type: 'azure',
    options: {
      auth_client_id: rename('client_id'), auth_client_secret: rename('client_secret'), auth_tenant_id: rename('tenant_id'),
      auth_subscription_id: rename('subscription_id'), resource_group: rename('resource_group'),
    },
    // lexicon's azure provider knows only a service principal's secret (certfleet's auth: client_secret, the default).
    required: ['auth_client_id', 'auth_client_secret', 'auth_tenant_id', 'auth_subscription_id', 'resource_group'],
    minTtl: 1,
  },
  { lexicon: 'digitalocean', type: 'digitalocean', options: { auth_token: rename('api_token') }, required: ['auth_token'], minTtl: 30 },
  {
    lexicon: 'hetzner',
    type: 'hetzner',
    options: { auth_token: rename('api_token') },
    required: ['auth_token'],
    // lexicon 3.11's hetzner provider speaks the DNS Console API (dns.hetzner.com), whose tokens the Cloud API refuses.
    fixed: { api: 'console' },
    minTtl: 60,
  },
  {
    lexicon: 'ovh',
    type: 'ovh',
    // lexicon's entrypoints are a subset of certfleet's endpoints, with the same names.
    options: {
      auth_entrypoint: rename('endpoint'), auth_application_key: rename('application_key'),
      auth_application_secret: rename('application_secret'), auth_consumer_key: rename('consumer_key'),
    },
    required: ['auth_entrypoint', 'auth_application_key', 'auth_application_secret', 'auth_consumer_key'],
    minTtl: 60,
  },
  {
    lexicon: 'gandi',
    type: 'gandi',
    // With api_protocol rest lexicon sends auth_token as LiveDNS's `Authorization: Apikey`, certfleet's api_key.
    options: { auth_token: rename('api_key'), api_protocol: { to: (v) => v === 'rest' ? null : undefined } },
    required: ['auth_token'],
    minTtl: 300,
    // Without api_protocol lexicon uses XML-RPC (its default, rpc).
    check: (o) => 'api_protocol' in o ? undefined : GANDI_RPC,
    why: { api_protocol: GANDI_RPC },
  },
  {
    lexicon: 'linode',
    type: 'linode',
    options: {},
    required: ['auth_token'],
    why: { auth_token: "lexicon's linode provider uses Linode's API v3 and its API keys; certfleet's native linode provider uses API v4 with a personal access token (Domains Read/Write): create one, then use type: linode" },
  },
  { lexicon: 'linode4', type: 'linode', options: { auth_token: rename('api_token') }, required: ['auth_token'], minTtl: 1 },
  { lexicon: 'porkbun', type: 'porkbun', options: { auth_key: rename('api_key'), auth_secret: rename('secret_api_key') }, required: ['auth_key', 'auth_secret'], minTtl: 600 },
  { lexicon: 'godaddy', type: 'godaddy', options: { auth_key: rename('api_key'), auth_secret: rename('api_secret') }, required: ['auth_key', 'auth_secret'], minTtl: 600 },
  {
    lexicon: 'dnsimple',
    type: 'dnsimple',
    options: { auth_token: rename('token') },
    required: ['auth_token'],
    minTtl: 60,
    why: {
      auth_username: "auth_username and auth_password are DNSimple's password login, which certfleet's native dnsimple provider does not do (it takes an API token)",
      auth_password: "auth_username and auth_password are DNSimple's password login, which certfleet's native dnsimple provider does not do (it takes an API token)",
      auth_2fa: "auth_2fa goes with DNSimple's password login, which certfleet's native dnsimple provider does not do (it takes an API token)",
    },
  },
  { lexicon: 'vultr', type: 'vultr', options: { auth_token: rename('api_key') }, required: ['auth_token'], minTtl: 1 },
  { lexicon: 'infomaniak', type: 'infomaniak', options: { auth_token: rename('token') }, required: ['auth_token'], minTtl: 1 },
];

export function nativeProviderFor(lexiconName: string): NativeProvider | undefined {
  return NATIVE_PROVIDERS.find((p) => p.lexicon === lexiconName);
}

/** The certfleet option a lexicon option with this value becomes: a name, null (dropped), or undefined (none). */
export function nativeOptionName(map: OptionMap, value: unknown): string | null | undefined {
  return typeof map.to === 'string' ? map.to : map.to(value);
}
