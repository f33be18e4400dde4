/**
 * A YAML double-quoted scalar of `s` that certfleet's config loader gives back unchanged: JSON's
 * string syntax is YAML's, and `${` is escaped as `$${` so `${VAR}` substitution leaves a
 * shell's `${NAME#prefix}` (or a path with `${`) alone.
 */
export function yamlString(s: string): string {
  return JSON.stringify(s.replaceAll('${', () => '$${'));
}
