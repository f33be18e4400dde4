import { KEY_TYPES } from '../acme/key-types.js';
import { normalizeDomain } from '../domain-name.js';
import type { Config } from './schema.js';
import { intern, NO_DEPLOY, shareDefaults } from './shared-defaults.js';

/*
 * The common `certificates` entry read and validated without yaml and zod: at 100,000 entries
 * yaml's reader, zod's object walk and the garbage of both were most of a daemon's start
 * (docs/benchmarks.md). Both functions here give up (undefined) on anything outside the shapes
 * they know; the caller then takes the general path, so a result or a message never differs from
 * it (fast-certificate.test.ts compares them on generated entries).
 */

type Certificate = Config['certificates'][number];

/** Character codes. */
const Ch = { SPACE: 32, QUOTE: 34, DOLLAR: 36, COMMA: 44, DASH: 45, DOT: 46, COLON: 58, LBRACKET: 91, BACKSLASH: 92, RBRACKET: 93, UNDERSCORE: 95 } as const;

/** A scalar every YAML 1.2 core-schema reader takes as this string (a letter first, no indicator). */
const PLAIN = /^[A-Za-z][A-Za-z0-9._-]*$/;
const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const NOT_STRINGS = new Set(['null', 'Null', 'NULL']);

/**
 * The entry `text.slice(start, end)` read as YAML would read it, for its common shape: `- key:
 * value` then `  key: value` lines, each value a plain or simply double-quoted scalar, a
 * boolean, or a flow list of such scalars. Undefined for anything else (yaml reads it then),
 * `$` included: `${VAR}` is the loader's to substitute.
 */
export function readPlainEntry(text: string, start: number, end: number): Record<string, unknown> | undefined {
  let pos = start;
  while (pos < end && text.charCodeAt(pos) === Ch.SPACE) pos++;
  if (text.charCodeAt(pos) !== Ch.DASH || text.charCodeAt(pos + 1) !== Ch.SPACE) return undefined;
  const keyIndent = pos - start + 2;
  pos += 2;
  const out: Record<string, unknown> = {};
  for (let first = true; ; first = false) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    if (!first) {
      const indentEnd = pos + keyIndent;
      for (; pos < indentEnd; pos++) if (text.charCodeAt(pos) !== Ch.SPACE) return undefined;
    }
    const keyStart = pos;
    for (let c = text.charCodeAt(pos); (c >= 97 && c <= 122) || c === Ch.UNDERSCORE; c = text.charCodeAt(++pos));
    if (pos === keyStart || pos >= lineEnd || text.charCodeAt(pos) !== Ch.COLON || text.charCodeAt(pos + 1) !== Ch.SPACE) return undefined;
    const key = text.slice(keyStart, pos);
    if (key === '__proto__') return undefined; // an own key to yaml, the prototype to an assignment
    let valueEnd = lineEnd;
    while (valueEnd > pos + 2 && text.charCodeAt(valueEnd - 1) === Ch.SPACE) valueEnd--;
    const value = scalarOrList(text, pos + 2, valueEnd);
    if (value === undefined || Object.hasOwn(out, key)) return undefined;
    out[key] = value;
    if (lineEnd >= end) return out;
    pos = lineEnd + 1;
  }
}

function scalarOrList(text: string, start: number, end: number): unknown {
  if (text.charCodeAt(start) !== Ch.LBRACKET) return scalar(text, start, end);
  if (end - start < 2 || text.charCodeAt(end - 1) !== Ch.RBRACKET) return undefined;
  const items: string[] = [];
  let from = start + 1;
  const last = end - 1;
  while (from < last && text.charCodeAt(from) === Ch.SPACE) from++;
  if (from === last) return items;
  for (;;) {
    // Not indexOf: with no comma left in the list it would search the rest of the file.
    let comma = from;
    while (comma < last && text.charCodeAt(comma) !== Ch.COMMA) comma++;
    let a = from;
    let b = comma;
    while (a < b && text.charCodeAt(a) === Ch.SPACE) a++;
    while (b > a && text.charCodeAt(b - 1) === Ch.SPACE) b--;
    const item = scalar(text, a, b);
    if (typeof item !== 'string') return undefined;
    items.push(item);
    if (comma === last) return items;
    from = comma + 1;
  }
}

function scalar(text: string, start: number, end: number): string | boolean | undefined {
  if (start >= end) return undefined;
  if (text.charCodeAt(start) === Ch.QUOTE) {
    if (end - start < 2 || text.charCodeAt(end - 1) !== Ch.QUOTE) return undefined;
    for (let i = start + 1; i < end - 1; i++) {
      // Printable ASCII without escapes: the text is the string (yaml's reading of the rest is its own).
      const c = text.charCodeAt(i);
      if (c < Ch.SPACE || c > 126 || c === Ch.QUOTE || c === Ch.BACKSLASH || c === Ch.DOLLAR) return undefined;
    }
    return text.slice(start + 1, end - 1);
  }
  const s = text.slice(start, end);
  if (Object.hasOwn(BOOLEANS, s)) return BOOLEANS[s];
  if (NOT_STRINGS.has(s) || !PLAIN.test(s)) return undefined;
  return s;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/**
 * Whether normalizeDomain returns `d` unchanged: at most 253 characters, lower case, an optional
 * `*.` and then two labels or more, each 1 to 63 letters, digits and inner hyphens, no dot at the end.
 */
function isNormalDomain(d: string): boolean {
  if (d.length > 253) return false;
  let i = d.charCodeAt(0) === 42 && d.charCodeAt(1) === Ch.DOT ? 2 : 0;
  let labels = 0;
  for (;;) {
    const start = i;
    for (let c = d.charCodeAt(i); (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === Ch.DASH; c = d.charCodeAt(++i));
    if (i === start || i - start > 63 || d.charCodeAt(start) === Ch.DASH || d.charCodeAt(i - 1) === Ch.DASH) return false;
    labels++;
    if (i === d.length) return labels >= 2;
    if (d.charCodeAt(i) !== Ch.DOT) return false;
    i++;
  }
}
const KNOWN = new Set(['name', 'domains', 'dns', 'follow_cnames', 'key_type', 'reuse_key', 'force_renew', 'profile', 'deploy']);
const KEY_TYPE_SET = new Set<string>(KEY_TYPES);

/**
 * certificateSchema.safeParse(raw)'s data, with its defaults shared (shareDefaults), for an
 * entry with a string `dns` and no deploy actions; undefined for anything zod would refuse and
 * for every shape this does not know, so zod decides (and words the message) then.
 */
export function fastCertificate(raw: Record<string, unknown>): Certificate | undefined {
  for (const key in raw) if (!KNOWN.has(key)) return undefined;
  const { name, domains, dns, follow_cnames: follow = true, key_type: keyType = 'ecdsa-p256', reuse_key: reuse = false, force_renew: force = false, profile, deploy } = raw;
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name) || name.includes('..'))) return undefined;
  if (!Array.isArray(domains) || domains.length === 0 || typeof dns !== 'string') return undefined;
  if (typeof follow !== 'boolean' || typeof reuse !== 'boolean' || typeof force !== 'boolean') return undefined;
  if (typeof keyType !== 'string' || !KEY_TYPE_SET.has(keyType)) return undefined;
  if ((profile !== undefined && typeof profile !== 'string') || (deploy !== undefined && !(Array.isArray(deploy) && deploy.length === 0))) return undefined;
  const names: string[] = new Array<string>(domains.length);
  for (let i = 0; i < domains.length; i++) {
    const d: unknown = domains[i];
    if (typeof d !== 'string') return undefined;
    if (isNormalDomain(d)) names[i] = d;
    else {
      try {
        names[i] = normalizeDomain(d);
      } catch {
        return undefined;
      }
    }
  }
  // The common entry built as shareDefaults would rebuild it (one object, the shared values).
  if (name !== undefined && profile === undefined) {
    return { name, domains: names, dns: intern(dns), follow_cnames: follow, key_type: keyType as Certificate['key_type'], reuse_key: reuse, force_renew: force, deploy: NO_DEPLOY };
  }
  // zod's key order: the schema's, an absent optional key left out.
  const c = { ...(name === undefined ? {} : { name }), domains: names, dns, follow_cnames: follow, key_type: keyType, reuse_key: reuse, force_renew: force, ...(profile === undefined ? {} : { profile }), deploy: [] } as Certificate;
  return shareDefaults(c);
}
