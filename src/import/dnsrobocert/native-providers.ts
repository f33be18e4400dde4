/**
 * The lexicon providers certfleet has a native provider for, and how their options are named
 * there. A profile goes native only when every option it sets is in `options` and every
 * `required` one is set; otherwise it stays on the lexicon provider, which takes the options
 * as they are (`why` says what the user loses or keeps, for the comment).
 */
export interface NativeProvider {
  lexicon: string;
  type: string;
  /** lexicon option -> certfleet option, and how the value changes when it does. */
  options: Readonly<Record<string, { to: string; value?: (v: string) => string }>>;
  /** Options the native provider cannot do without (lexicon could read them from LEXICON_* variables). */
  required: readonly string[];
  /** Why an option without a native counterpart keeps the profile on lexicon. */
  why?: Readonly<Record<string, string>>;
}

export const NATIVE_PROVIDERS: readonly NativeProvider[] = [
  {
    lexicon: 'powerdns',
    type: 'powerdns',
    // lexicon appends /api/v1 unless the URL ends with it; certfleet always appends it.
    options: { auth_token: { to: 'api_key' }, pdns_server: { to: 'api_url', value: (v) => v.replace(/\/+$/, '').replace(/\/api\/v1$/, '') }, pdns_server_id: { to: 'server_id' } },
    required: ['auth_token', 'pdns_server'],
  },
  {
    lexicon: 'cloudflare',
    type: 'cloudflare',
    options: { auth_token: { to: 'api_token' } },
    required: ['auth_token'],
    why: {
      auth_username: "auth_username + auth_token is Cloudflare's global API key, which certfleet's native cloudflare provider does not take (it takes an API token with Zone:Read and DNS:Edit)",
      zone_id: "zone_id lets a token scoped to one zone work without Zone:Read; certfleet's native cloudflare provider finds the zone itself and needs Zone:Read",
    },
  },
];

export function nativeProviderFor(lexiconName: string): NativeProvider | undefined {
  return NATIVE_PROVIDERS.find((p) => p.lexicon === lexiconName);
}
