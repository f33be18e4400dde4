import type { Config } from './schema.js';

type Certificate = Config['certificates'][number];

/**
 * One frozen empty list for every certificate without deploy actions. zod gives each parsed
 * entry its own copy of a default (`deploy: []`): 100,000 empty arrays kept for the daemon's
 * life. Frozen, so a caller that would push to one fails loudly instead of changing them all.
 */
export const NO_DEPLOY = Object.freeze([]) as unknown as Certificate['deploy'];

/**
 * Provider ids and other short values repeat on every entry (`dns: home`); each parse gives each
 * entry its own copy. One string per distinct value is kept instead (bounded: a file with
 * thousands of distinct values just stops sharing them).
 */
const interned = new Map<string, string>();
const MAX_INTERNED = 10_000;

/** `value`, as the one copy of that text kept for all certificates. */
export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(value, value);
  return value;
}

/**
 * The entry with its default values and repeated texts shared with every other entry, laid out
 * compactly: zod builds its result key by key (V8 then keeps the keys past the fourth in a
 * separate array) and its arrays by push (room for 17 elements). The common shape is rebuilt as
 * one object literal, with the same keys in the same order; `domains` is copied to its length.
 */
export function shareDefaults<C extends Certificate>(c: C): C {
  if (c.deploy.length === 0) c.deploy = NO_DEPLOY;
  if (typeof c.dns === 'string') c.dns = intern(c.dns);
  if (c.profile !== undefined) c.profile = intern(c.profile);
  c.domains = c.domains.slice();
  const keys = Object.keys(c);
  if (keys.length === COMMON_KEYS.length && keys.every((k, i) => k === COMMON_KEYS[i])) {
    const { name, domains, dns, follow_cnames, key_type, reuse_key, force_renew, deploy } = c;
    return { name, domains, dns, follow_cnames, key_type, reuse_key, force_renew, deploy } as C;
  }
  return c;
}

/** The keys of an entry with a name and no profile, in the order zod gives them. */
const COMMON_KEYS = ['name', 'domains', 'dns', 'follow_cnames', 'key_type', 'reuse_key', 'force_renew', 'deploy'] as const;
