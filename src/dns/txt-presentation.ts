/**
 * TXT values in presentation format, the form PowerDNS stores and ExternalDNS sends its
 * ownership records in: one quoted string, backslash and quote escaped.
 */
export function quoteTxt(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The text of one or more quoted strings ("a" "b" → ab); anything unquoted is returned as is. */
export function unquoteTxt(content: string): string {
  const parts = content.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!parts) return content;
  return parts.map((p) => p.slice(1, -1).replace(/\\(.)/g, '$1')).join('');
}

export function isQuotedTxt(value: string): boolean {
  return /^".*"$/s.test(value);
}

/** ExternalDNS's form of a TXT target: quoted once (a target already quoted stays as it is). */
export function txtTarget(value: string): string {
  return isQuotedTxt(value) ? value : quoteTxt(value);
}
