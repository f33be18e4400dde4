import { DIRECTORY_SHORTCUTS } from '../../config/schema.js';
import type { MappedHook } from './map-hooks.js';
import type { MappedProvider } from './map-authenticator.js';
import { yamlString } from './yaml-string.js';

export interface ConfigCertificate {
  name: string;
  domains: string[];
  keyType: string;
  dns: string;
  reuseKey: boolean;
  hooks: MappedHook[];
  comments: string[];
}

export interface ConfigInput {
  root: string;
  directory: string;
  directoryComments: string[];
  caBundle: string | undefined;
  providers: Map<string, MappedProvider>;
  certificates: ConfigCertificate[];
  notes: string[];
}

/** The certfleet config for an adopted certbot store, as YAML with a comment wherever a choice was made. */
export function renderConfig(c: ConfigInput): string {
  const out: string[] = [
    `# certfleet config for the certbot store ${c.root}, written by \`certfleet import certbot\`.`,
    '# Where the import made a choice, a comment says which. Stop certbot\'s timer (certbot.timer or',
    '# its cron job): the adopted renewal/<name>.conf files are renamed so it skips them anyway.',
  ];
  for (const n of c.notes) out.push(`# NOTE: ${n}`);
  const shortcut = Object.entries(DIRECTORY_SHORTCUTS).find(([, url]) => url === c.directory)?.[0];
  out.push('acme:');
  for (const line of c.directoryComments) out.push(`  # ${line}`);
  out.push(`  directory: ${shortcut ?? yamlString(c.directory)}`);
  if (c.caBundle) out.push('  # certbot trusted this CA through REQUESTS_CA_BUNDLE', `  ca_bundle: ${yamlString(c.caBundle)}`);
  out.push('store:', '  # The certbot store itself, adopted in place: servers keep reading live/<name>/*.pem.', `  path: ${yamlString(c.root)}`);
  out.push('dns:', c.providers.size === 0 ? '  providers: {}' : '  providers:');
  for (const [id, p] of c.providers) {
    for (const line of p.comments) out.push(`    # ${line}`);
    out.push(`    ${id}:`, ...p.lines.map((l) => `      ${l}`));
  }
  out.push('certificates:');
  if (c.certificates.length === 0) out[out.length - 1] = 'certificates: []';
  for (const cert of c.certificates) {
    for (const line of cert.comments) out.push(`  # ${line}`);
    out.push(`  - name: ${yamlString(cert.name)}`, `    domains: [${cert.domains.map((d) => yamlString(d)).join(', ')}]`, `    dns: ${yamlString(cert.dns)}`);
    out.push(`    key_type: ${cert.keyType}`);
    if (cert.reuseKey) out.push('    reuse_key: true');
    out.push("    # certbot wrote the TXT record at _acme-challenge.<domain> itself; certfleet's default would follow a CNAME there", '    follow_cnames: false');
    if (cert.hooks.length > 0) {
      out.push('    deploy:');
      for (const h of cert.hooks) out.push(`      # ${h.comment}`, `      - ${h.line}`);
    }
  }
  return `${out.join('\n')}\n`;
}
