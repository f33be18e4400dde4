import type { Config } from './schema.js';

type Certificate = Config['certificates'][number];

/**
 * One frozen empty list for every certificate without deploy actions. zod gives each parsed
 * entry its own copy of a default (`deploy: []`): 100,000 empty arrays kept for the daemon's
 * life. Frozen, so a caller that would push to one fails loudly instead of changing them all.
 */
const NO_DEPLOY = Object.freeze([]) as unknown as Certificate['deploy'];

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

/** The entry with its default values and repeated texts shared with every other entry; mutates and returns it. */
export function shareDefaults<C extends Certificate>(c: C): C {
  if (c.deploy.length === 0) c.deploy = NO_DEPLOY;
  if (typeof c.dns === 'string') c.dns = intern(c.dns);
  if (c.profile !== undefined) c.profile = intern(c.profile);
  return c;
}
