/**
 * Names as DNS servers and APIs spell them: with or without the root's trailing dot, relative to
 * a zone ('@' for its apex) or absolute. Every module converts through these, never with ad-hoc
 * string edits, so one name is compared the same way everywhere.
 */

/** `name` without the trailing dot, lower-cased (DNS names compare case-insensitively). */
export function canonicalName(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

/** `name` without the trailing dot, case kept (for display and for APIs that echo case). */
export function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** `name` with exactly one trailing dot (the form PowerDNS and the DNS wire text use). */
export function withTrailingDot(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** Whether `name` is `zone` or inside it (both in any form). */
export function isInZone(name: string, zone: string): boolean {
  const n = canonicalName(name);
  const z = canonicalName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/** `fqdn` relative to `zone` ('@' for the apex); lower-cased, no trailing dots. */
export function relativeName(fqdn: string, zone: string): string {
  const f = canonicalName(fqdn);
  const z = canonicalName(zone);
  if (f === z) return '@';
  if (!f.endsWith(`.${z}`)) throw new Error(`${fqdn} is not inside zone ${zone}`);
  return f.slice(0, -(z.length + 1));
}

/** The absolute name (no trailing dot) of a zone-relative `name` ('@' or '' for the apex). */
export function absoluteName(name: string, zone: string): string {
  const z = withoutTrailingDot(zone);
  return name === '@' || name === '' ? z : `${name}.${z}`;
}
