import { z } from 'zod';
import { duration, propagation } from '../schema-parts.js';
import { Secret } from '../secret.js';

/** The keys certfleet itself reads; every other key of the entry is an option of the lexicon provider. */
export const LEXICON_OWN_KEYS = ['type', 'provider', 'python', 'ttl', 'propagation', 'timeout'] as const;

/** lexicon's option names are argparse dests: lower case, digits and underscores (auth_token, pdns_server). */
const OPTION_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * An option's value. Every one is a Secret, whether it is a token or a URL: certfleet cannot tell
 * which of lexicon's ~300 options hold credentials, so none reaches a log line. `false` leaves the
 * option out, because lexicon reads every non-empty environment value, "false" too, as set.
 */
const optionValue = () => z.union([z.string().min(1), z.number(), z.boolean()], { error: 'expected a string, number or boolean (a lexicon option value)' })
  .describe('An option of the lexicon provider, by lexicon\'s name (auth_token, auth_username, …); false leaves it out.');

/**
 * `type: lexicon`: any of dns-lexicon's providers, through a helper run with the system Python
 * (src/dns/lexicon/). The provider's options sit beside `provider`, named as lexicon names them;
 * the output gathers them under `options`, so no option can be mistaken for one of certfleet's keys.
 */
export const lexiconProvider = () => z.object({
  type: z.literal('lexicon'),
  provider: z.string({ error: 'expected the lexicon provider\'s name, like cloudflare or ovh' }).regex(/^[a-z][a-z0-9_]*$/, 'expected a lexicon provider name like cloudflare or ovh').describe('The lexicon provider\'s name (its module under lexicon/providers/): cloudflare, ovh, gandi, powerdns, …'),
  python: z.string().min(1).default('/usr/bin/python3').describe('The Python that has lexicon: a path, or a name looked up in PATH.'),
  timeout: duration.default(60_000).describe('One batch\'s limit: the helper is killed after this long.'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
}).catchall(optionValue()).superRefine((entry, ctx) => {
  for (const key of Object.keys(entry)) {
    if ((LEXICON_OWN_KEYS as readonly string[]).includes(key) || OPTION_NAME.test(key)) continue;
    ctx.addIssue({ code: 'custom', path: [key], message: `${JSON.stringify(key)} is not a lexicon option name (lower case, digits and _, like auth_token)` });
  }
}).transform(({ type, provider, python, timeout, ttl, propagation: prop, ...rest }) => ({
  type, provider, python, timeout, ttl, propagation: prop,
  options: Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== false).map(([k, v]) => [k, new Secret(String(v))])),
}));

/** lexicon options that are themselves file paths (oci's, in lexicon 3.11): given as they are, never read. */
const FILE_PATH_OPTIONS = new Set(['auth_config_file', 'auth_key_file', 'auto_oci_auth_config_file', 'auto_oci_auth_key_file']);

/** The option whose value `<option>_file` holds, for a key of a lexicon entry; undefined when the key is no such alternative. */
export function lexiconFileOption(key: string): string | undefined {
  if (!key.endsWith('_file') || FILE_PATH_OPTIONS.has(key)) return undefined;
  const option = key.slice(0, -'_file'.length);
  return option === '' || (LEXICON_OWN_KEYS as readonly string[]).includes(option) ? undefined : option;
}
