import type { z } from 'zod';
import { didYouMeanHint } from '../did-you-mean.js';
import { keysAt } from './schema-keys.js';

/* Messages for a key that is not where the schema expects it: misspelt, or written one level too far left. */

type Path = readonly (string | number)[];

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function valueAt(raw: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, seg) => (isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[seg] : undefined), raw);
}

export function dottedPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
}

/**
 * Where a key found at `parent` probably belongs: a sibling written before it (the nearest first;
 * a list's last item) whose schema has the key. A dedented key lands beside the map it was meant for.
 */
export function belongsUnder(root: z.core.$ZodType, raw: unknown, parent: Path, key: string): Path | undefined {
  const map = valueAt(raw, parent);
  if (!isRecord(map)) return undefined;
  const keys = Object.keys(map);
  const before = keys.slice(0, Math.max(0, keys.indexOf(key))).reverse();
  for (const sibling of [...before, ...keys.filter((k) => k !== key && !before.includes(k))]) {
    const value = map[sibling];
    const at: Path = Array.isArray(value) ? [...parent, sibling, Math.max(0, value.length - 1)] : [...parent, sibling];
    if (keysAt(root, at, raw)?.includes(key)) return at;
  }
  return undefined;
}

const where = (path: Path) => (path.length === 0 ? 'at the top level' : `in ${dottedPath(path)}`);

/** `unknown key "emial" (did you mean "email"?)`, or where a dedented key belongs. */
export function unknownKeysMessage(root: z.core.$ZodType, raw: unknown, parent: Path, keys: readonly string[]): string {
  const known = keysAt(root, parent, raw) ?? [];
  const parts = keys.map((k) => {
    const hint = didYouMeanHint(k, known);
    if (hint) return `${JSON.stringify(k)}${hint}`;
    const home = belongsUnder(root, raw, parent, k);
    return home ? `${JSON.stringify(k)} (${where(parent)}: it probably belongs under ${dottedPath(home)}, indented one level deeper)` : JSON.stringify(k);
  });
  return `unknown key${keys.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

/**
 * For a problem at an entry of a map of free keys (dns.providers.<id>) whose value is no map: a
 * dedented option of the entry before it ("api_key" beside "home" instead of inside it).
 */
export function dedentedEntryMessage(root: z.core.$ZodType, raw: unknown, path: Path): string | undefined {
  const key = path.at(-1);
  const parent = path.slice(0, -1);
  if (typeof key !== 'string' || isRecord(valueAt(raw, path)) || keysAt(root, parent, raw)?.includes(key)) return undefined;
  const home = belongsUnder(root, raw, parent, key);
  return home && `${JSON.stringify(key)} is ${where(parent)}, where each key names an entry of its own; it is an option of ${dottedPath(home)}, so it probably belongs under it, indented one level deeper`;
}
