import { OVH_ENDPOINTS } from '../../config/providers/ovh.js';
import type { MappedProvider } from './mapped-provider.js';
import { credentials, credentialsText, propagationNote, secretFile } from './plugin-credentials.js';
import { yamlString } from './yaml-string.js';

/** One key of a plugin's credentials INI and the option it becomes; a secret goes to `<option>_file` (0600). */
interface IniKey { ini: string; to: string; secret?: boolean; optional?: boolean }

/**
 * A certbot DNS plugin certfleet has a provider for: natively, or through lexicon (the plugins
 * below that certbot built on lexicon take the same credentials lexicon does).
 */
interface PluginMap {
  /** The preferred provider id, and the plugin's name in certbot's `dns_<plugin>_…` options. */
  id: string;
  plugin: string;
  /** The entry's fixed lines: its type (and lexicon's provider). */
  lines: string[];
  /** How the plugin's credentials INI (renewal conf `dns_<plugin>_credentials`) maps. */
  keys: IniKey[];
  /** Why these credentials cannot be used as they are (undefined: they can). */
  check?: (ini: Record<string, string>) => string | undefined;
  docs: string;
}

const lexicon = (plugin: string, keys: IniKey[]): PluginMap => ({
  id: plugin, plugin, lines: ['type: lexicon', `provider: ${plugin}`], keys, docs: 'docs/providers/lexicon.md',
});

const PLUGINS: Readonly<Record<string, PluginMap>> = {
  'dns-digitalocean': { id: 'digitalocean', plugin: 'digitalocean', lines: ['type: digitalocean'], keys: [{ ini: 'dns_digitalocean_token', to: 'api_token', secret: true }], docs: 'docs/providers/digitalocean.md' },
  'dns-dnsimple': { id: 'dnsimple', plugin: 'dnsimple', lines: ['type: dnsimple'], keys: [{ ini: 'dns_dnsimple_token', to: 'token', secret: true }], docs: 'docs/providers/dnsimple.md' },
  'dns-linode': {
    id: 'linode', plugin: 'linode', lines: ['type: linode'], keys: [{ ini: 'dns_linode_key', to: 'api_token', secret: true }], docs: 'docs/providers/linode.md',
    check: (ini) => ini.dns_linode_version === '3' ? "the key is for Linode's API v3 (dns_linode_version = 3); certfleet uses API v4: create a personal access token with Domains Read/Write" : undefined,
  },
  'dns-ovh': {
    id: 'ovh', plugin: 'ovh', lines: ['type: ovh'], docs: 'docs/providers/ovh.md',
    keys: [
      { ini: 'dns_ovh_endpoint', to: 'endpoint' }, { ini: 'dns_ovh_application_key', to: 'application_key' },
      { ini: 'dns_ovh_application_secret', to: 'application_secret', secret: true }, { ini: 'dns_ovh_consumer_key', to: 'consumer_key', secret: true },
    ],
    check: (ini) => ini.dns_ovh_endpoint !== undefined && !(ini.dns_ovh_endpoint in OVH_ENDPOINTS) ? `dns_ovh_endpoint ${JSON.stringify(ini.dns_ovh_endpoint)} is not one of ${Object.keys(OVH_ENDPOINTS).join(', ')}` : undefined,
  },
  // certbot-plugin-gandi (a third-party plugin) names itself dns-gandi, or certbot-plugin-gandi:dns in its older releases.
  'dns-gandi': {
    id: 'gandi', plugin: 'gandi', lines: ['type: gandi'], docs: 'docs/providers/gandi.md',
    keys: [{ ini: 'dns_gandi_token', to: 'personal_access_token', secret: true, optional: true }, { ini: 'dns_gandi_api_key', to: 'api_key', secret: true, optional: true }],
    check: (ini) => (ini.dns_gandi_token === undefined) === (ini.dns_gandi_api_key === undefined) ? 'the credentials need dns_gandi_token (a personal access token) or dns_gandi_api_key, one of the two' : undefined,
  },
  'dns-dnsmadeeasy': lexicon('dnsmadeeasy', [{ ini: 'dns_dnsmadeeasy_api_key', to: 'auth_username', secret: true }, { ini: 'dns_dnsmadeeasy_secret_key', to: 'auth_token', secret: true }]),
  'dns-gehirn': lexicon('gehirn', [{ ini: 'dns_gehirn_api_token', to: 'auth_token', secret: true }, { ini: 'dns_gehirn_api_secret', to: 'auth_secret', secret: true }]),
  'dns-luadns': lexicon('luadns', [{ ini: 'dns_luadns_email', to: 'auth_username' }, { ini: 'dns_luadns_token', to: 'auth_token', secret: true }]),
  'dns-nsone': lexicon('nsone', [{ ini: 'dns_nsone_api_key', to: 'auth_token', secret: true }]),
  'dns-sakuracloud': lexicon('sakuracloud', [{ ini: 'dns_sakuracloud_api_token', to: 'auth_token', secret: true }, { ini: 'dns_sakuracloud_api_secret', to: 'auth_secret', secret: true }]),
};
const ALIASES: Readonly<Record<string, string>> = { 'certbot-plugin-gandi:dns': 'dns-gandi' };

/** The certfleet provider for a certbot DNS plugin certfleet has one for, or undefined. */
export async function nativePlugin(root: string, auth: string, p: Record<string, string>, signal: AbortSignal): Promise<MappedProvider | undefined> {
  switch (auth) {
    case 'dns-route53': return route53Provider(p);
    case 'dns-google': return googleProvider(root, p, signal);
  }
  const spec = PLUGINS[ALIASES[auth] ?? auth];
  return spec ? iniProvider(root, auth, spec, p, signal) : undefined;
}

function todo(spec: { id: string; lines: string[]; docs: string }, why: string): MappedProvider {
  return { id: `todo-${spec.id}`, lines: ['type: exec', 'command: [/bin/false]'], comments: [`TODO: ${why}; then use ${spec.lines.join(', ')} (${spec.docs}).`], secrets: [] };
}

async function iniProvider(root: string, auth: string, spec: PluginMap, p: Record<string, string>, signal: AbortSignal): Promise<MappedProvider> {
  // The third-party gandi plugin's older name prefixes its options with certbot_plugin_gandi:dns_.
  const prefixed = auth.includes(':') ? `${auth.replace(/:dns$/, '')}:dns_${spec.plugin}_credentials` : `dns_${spec.plugin}_credentials`;
  const creds = await credentials(p, p[prefixed] !== undefined ? prefixed : `dns_${spec.plugin}_credentials`, signal);
  if ('problem' in creds) return todo(spec, creds.problem);
  const missing = spec.keys.filter((k) => !k.optional && !creds.ini[k.ini]).map((k) => k.ini);
  const problem = missing.length > 0 ? `${creds.file} lacks ${missing.join(', ')}` : spec.check?.(creds.ini);
  if (problem) return todo(spec, problem);
  const lines = [...spec.lines];
  const secrets: MappedProvider['secrets'] = [];
  for (const k of spec.keys) {
    const value = creds.ini[k.ini];
    if (!value) continue;
    if (!k.secret) {
      lines.push(`${k.to}: ${yamlString(value)}`);
      continue;
    }
    const file = secretFile(root, spec.id, k.to, value);
    lines.push(`${k.to}_file: ${yamlString(file)}`);
    secrets.push({ file, value });
  }
  const how = spec.lines[0] === 'type: lexicon' ? `through dns-lexicon's ${spec.plugin} provider (certfleet has no native one; the plugin itself uses lexicon)` : `as certfleet's native ${spec.id} provider`;
  return {
    id: spec.id, lines, secrets,
    comments: [`certbot's ${auth} plugin, ${how}; the secrets from ${creds.file} are copied to the *_file files (0600).`, ...propagationNote(p, spec.plugin)],
  };
}

/** certbot's dns-route53 takes no credentials file: boto3's default chain, which certfleet's route53 provider reads too. */
function route53Provider(p: Record<string, string>): MappedProvider {
  return {
    id: 'route53', lines: ['type: route53'], secrets: [],
    comments: [
      "certbot's dns-route53 plugin, as certfleet's native route53 provider: both take AWS's default credentials (AWS_* variables, the shared credentials file, web identity).",
      "certbot ran as root: if its keys are in /root/.aws, give certfleet's user its own (docs/providers/route53.md).",
      ...propagationNote(p, 'route53'),
    ],
  };
}

/** certbot's dns-google: a service-account JSON key file (dns_google_credentials), or else the metadata server's token. */
async function googleProvider(root: string, p: Record<string, string>, signal: AbortSignal): Promise<MappedProvider> {
  const spec = { id: 'google-cloud-dns', lines: ['type: google-cloud-dns'], docs: 'docs/providers/google-cloud-dns.md' };
  const note = propagationNote(p, 'google');
  if (!p.dns_google_credentials) {
    return { id: spec.id, lines: spec.lines, secrets: [], comments: ["certbot's dns-google plugin without a key file, as certfleet's native google-cloud-dns provider: both take the metadata server's token (GCE, GKE workload identity).", ...note] };
  }
  const key = await credentialsText(p, 'dns_google_credentials', signal);
  if ('problem' in key) return todo(spec, key.problem);
  const file = secretFile(root, spec.id, 'service_account_key', key.text);
  return {
    id: spec.id, lines: [...spec.lines, `service_account_key_file: ${yamlString(file)}`], secrets: [{ file, value: key.text }],
    comments: [`certbot's dns-google plugin, as certfleet's native google-cloud-dns provider; the service-account key ${key.file} is copied to the service_account_key_file (0600).`, ...note],
  };
}
