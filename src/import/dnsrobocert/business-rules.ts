import type { DrcCertificate, DrcConfig } from './dnsrobocert-schema.js';
import { hasEnvReference } from './env-references.js';
import type { Report } from './validate-schema.js';

/**
 * DNSroboCert's checks after its schema (core/config.py: _values_conversion, _business_check),
 * on a file that passed the schema: each certificate names an existing profile, no two
 * certificates share a lineage, file and directory modes are POSIX modes. Two profiles with one
 * name are refused too: DNSroboCert's documentation requires unique names (it silently used the
 * first), and they become the keys of one map.
 */
export function checkBusinessRules(config: DrcConfig, report: Report): void {
  const profiles = config.profiles ?? [];
  const names = new Set<string>();
  profiles.forEach((p, i) => {
    if (names.has(p.name)) report(['profiles', i, 'name'], `duplicate profile name ${JSON.stringify(p.name)}`);
    names.add(p.name);
  });
  const lineages = new Set<string>();
  (config.certificates ?? []).forEach((c, i) => {
    const lineage = lineageOf(c);
    if (lineage === undefined) {
      report(['certificates', i, 'domains'], 'expected at least one domain');
      return;
    }
    if (!hasEnvReference(c.profile) && !names.has(c.profile)) {
      report(['certificates', i, 'profile'], `profile ${JSON.stringify(c.profile)} used by certificate ${lineage} does not exist; defined: ${[...names].join(', ') || 'none'}`);
    }
    if (lineages.has(lineage)) report(['certificates', i, c.name ? 'name' : 'domains'], `certificate with name ${JSON.stringify(lineage)} is duplicated`);
    lineages.add(lineage);
  });
  const permissions = config.acme?.certs_permissions ?? {};
  for (const key of ['files_mode', 'dirs_mode'] as const) {
    const value = permissions[key];
    if (value === undefined || hasEnvReference(value)) continue;
    if (posixMode(value) === undefined) report(['acme', 'certs_permissions', key], `invalid ${key} ${JSON.stringify(value)}: expected a POSIX mode from 0 to 0777 (octal)`);
  }
}

/** The certificate's lineage (live/<lineage>/): `name`, else the first domain without `*.`. */
export function lineageOf(c: DrcCertificate): string | undefined {
  if (c.name) return c.name;
  const first = c.domains[0];
  return first === undefined ? undefined : first.replace(/^\*\./, '');
}

/**
 * A mode as DNSroboCert reads it: an integer (YAML 1.1 reads an unquoted 0644 as octal), or a
 * string in octal as Python's int(text, 8) parses it ("0644", "644", "0o644").
 */
export function posixMode(value: number | string): number | undefined {
  let mode = value;
  if (typeof value === 'string') {
    const text = value.trim().replace(/^\+/, '');
    // Python allows one "_" between digits.
    if (!/^(0[oO])?[0-7][0-7_]*$/.test(text) || text.includes('__') || text.endsWith('_')) return undefined;
    mode = parseInt(text.replace(/^0[oO]/, '').replaceAll('_', ''), 8);
  }
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777 ? mode : undefined;
}
