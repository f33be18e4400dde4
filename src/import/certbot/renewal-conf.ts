/**
 * certbot's `renewal/<name>.conf` (a configobj file): top-level `key = value` lines, then
 * `[renewalparams]` (how the lineage is renewed) and nested `[[webroot_map]]` sections.
 */
export interface RenewalConf {
  /** Top-level keys: version, archive_dir, cert, privkey, chain, fullchain. */
  top: Record<string, string>;
  /** `[renewalparams]`: account, server, authenticator, key_type, renew_hook, … */
  params: Record<string, string>;
}

export function parseRenewalConf(text: string): RenewalConf {
  const conf: RenewalConf = { top: {}, params: {} };
  let section: Record<string, string> | undefined = conf.top;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^(\[+)\s*([^\]]+?)\s*\]+$/.exec(line);
    if (header) {
      // Only the one section certfleet reads; subsections (webroot_map) and others are skipped.
      section = header[1] === '[' && header[2] === 'renewalparams' ? conf.params : undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) continue;
    section[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1).trim());
  }
  return conf;
}

/** configobj writes a value with a comma as a list (`dns-01,`); quotes are optional. */
function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m ? m[2]! : v;
}

/** A certbot credentials INI (dns-cloudflare, dns-rfc2136 …): `key = value` lines. */
export function parseIni(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1).trim());
  }
  return out;
}
