/**
 * `${VAR}` in a DNSroboCert file. DNSroboCert replaces them in the raw text before parsing
 * (`$${` escapes); certfleet replaces them in values, with the same escape, and reads only
 * variables whose names start with an allowed prefix (`env_prefixes`). The import keeps each
 * reference as written and allows exactly the variables the file names.
 */

/** A `${`, not the escape `$${`; the name runs to the next `}` as in DNSroboCert (`\${1,2}{(\S+)}`). */
const REFERENCE = /(?<!\$)\$\{([^}\s]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when the value is decided by the environment at run time (so its type is too). */
export function hasEnvReference(value: unknown): boolean {
  return typeof value === 'string' && referencedNames(value).length > 0;
}

export function referencedNames(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1] ?? '');
}

/** A name certfleet's substitution could not read (DNSroboCert read any name the environment had). */
export function isReadableName(name: string): boolean {
  return NAME.test(name);
}

/** Every variable a value refers to, in every string inside it. */
export function collectEnvNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') for (const n of referencedNames(value)) into.add(n);
  else if (Array.isArray(value)) for (const v of value) collectEnvNames(v, into);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collectEnvNames(v, into);
  return into;
}

/**
 * certfleet's default prefix plus each variable's full name: the narrowest prefix that still
 * admits it, so the file can read what it read before and nothing more.
 */
export function envPrefixesFor(names: Iterable<string>): string[] {
  const extra = [...new Set(names)].filter((n) => !n.startsWith('CERTFLEET_')).sort();
  return ['CERTFLEET_', ...extra];
}
