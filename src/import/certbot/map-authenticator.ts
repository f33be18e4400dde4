import type { MappedProvider } from './mapped-provider.js';
import { nativePlugin } from './native-plugins.js';
import { credentials, propagationNote, secretFile } from './plugin-credentials.js';
import type { RenewalConf } from './renewal-conf.js';
import { yamlString } from './yaml-string.js';

export type { MappedProvider } from './mapped-provider.js';

const HTTP_AUTHENTICATORS = new Set(['webroot', 'standalone', 'nginx', 'apache']);

/** The certfleet DNS provider for a lineage's authenticator (renewalparams). */
export async function mapAuthenticator(root: string, conf: RenewalConf, signal: AbortSignal): Promise<MappedProvider> {
  signal.throwIfAborted();
  const p = conf.params;
  const auth = p.authenticator ?? '(none)';
  switch (auth) {
    case 'manual': return manualProvider(p);
    case 'dns-cloudflare': return cloudflareProvider(root, p, signal);
    case 'dns-rfc2136': return rfc2136Provider(root, p, signal);
  }
  const mapped = await nativePlugin(root, auth, p, signal);
  if (mapped) return mapped;
  // A third-party dns-<name> plugin: often named after the dns-lexicon provider of the same API.
  const lexicon = auth.startsWith('dns-') ? auth.slice(4) : undefined;
  const why = HTTP_AUTHENTICATORS.has(auth)
    ? `certbot validated by HTTP (${auth}); certfleet validates by DNS-01 only: give it a DNS provider of the zone`
    : lexicon
      ? `certfleet does not know certbot's ${auth} plugin: use a native provider of the zone, or \`type: lexicon\` with \`provider: ${lexicon}\` (if lexicon has it) and that provider's options (docs/providers/)`
      : `certbot's authenticator ${JSON.stringify(auth)} is not known to the import: give a DNS provider of the zone`;
  return {
    id: `todo-${auth.replace(/[^A-Za-z0-9-]/g, '-')}`,
    lines: ['type: exec', 'command: [/bin/false]'],
    comments: [`TODO: ${why}.`, 'Until then this placeholder fails at the next renewal (the adopted certificate stays valid until then).'],
    secrets: [],
  };
}

/**
 * certbot's manual hooks as an exec provider: certfleet calls `present`/`cleanup` with
 * CERTFLEET_FQDN and CERTFLEET_VALUE, and a small sh adapter gives the hooks the CERTBOT_DOMAIN
 * and CERTBOT_VALIDATION they read. certbot ran them through a shell, so does the adapter.
 */
function manualProvider(p: Record<string, string>): MappedProvider {
  const authHook = p.manual_auth_hook;
  const cleanupHook = p.manual_cleanup_hook;
  if (!authHook) {
    return {
      id: 'todo-manual', lines: ['type: exec', 'command: [/bin/false]'], secrets: [],
      comments: ['TODO: certbot asked a person for each TXT record (manual without --manual-auth-hook): give a DNS provider of the zone.'],
    };
  }
  const script = [
    'CERTBOT_DOMAIN=${CERTFLEET_FQDN#_acme-challenge.}; CERTBOT_DOMAIN=${CERTBOT_DOMAIN%.}; CERTBOT_VALIDATION=$CERTFLEET_VALUE',
    'export CERTBOT_DOMAIN CERTBOT_VALIDATION',
    `if [ "$CERTFLEET_ACTION" = present ]; then ${authHook}; else ${cleanupHook ?? 'true'}; fi`,
  ].join('\n');
  return {
    id: 'certbot-manual',
    lines: ['type: exec', `command: [/bin/sh, -c, ${yamlString(script)}, certbot-manual-hook]`, 'pass_env: []'],
    comments: [
      'certbot\'s --manual-auth-hook and --manual-cleanup-hook, run through /bin/sh as certbot ran them, with CERTBOT_DOMAIN and CERTBOT_VALIDATION set.',
      'The hooks no longer get the whole environment: name the variables they read (API keys) in pass_env.',
      ...(cleanupHook ? [] : ['certbot had no cleanup hook: TXT records are left behind, as before.']),
      'A name and its wildcard may now be presented at once: the auth hook must add its value, not replace the record.',
    ],
    secrets: [],
  };
}

async function cloudflareProvider(root: string, p: Record<string, string>, signal: AbortSignal): Promise<MappedProvider> {
  const id = 'cloudflare';
  const creds = await credentials(p, 'dns_cloudflare_credentials', signal);
  const token = 'ini' in creds ? creds.ini.dns_cloudflare_api_token : undefined;
  if (!token || !('ini' in creds)) {
    const why = 'problem' in creds ? creds.problem
      : `${creds.file} holds a global API key (dns_cloudflare_api_key), which certfleet does not use: create an API token with Zone:Read and DNS:Edit`;
    return { id: 'todo-cloudflare', lines: ['type: exec', 'command: [/bin/false]'], comments: [`TODO: ${why}; then use type: cloudflare with api_token_file (docs/providers/cloudflare.md).`], secrets: [] };
  }
  const file = secretFile(root, id, 'api_token', token);
  return {
    id,
    lines: ['type: cloudflare', `api_token_file: ${yamlString(file)}`],
    comments: [`certbot's dns-cloudflare plugin; the API token from ${creds.file} is copied to the api_token_file (0600).`, ...propagationNote(p, 'cloudflare')],
    secrets: [{ file, value: token }],
  };
}

async function rfc2136Provider(root: string, p: Record<string, string>, signal: AbortSignal): Promise<MappedProvider> {
  const id = 'rfc2136';
  const creds = await credentials(p, 'dns_rfc2136_credentials', signal);
  const ini = 'ini' in creds ? creds.ini : {};
  const server = ini.dns_rfc2136_server;
  const comments = [`certbot's dns-rfc2136 plugin${'file' in creds ? `; the TSIG secret from ${creds.file} is copied to the secret_file (0600)` : ''}.`, ...propagationNote(p, 'rfc2136')];
  const algorithm = (ini.dns_rfc2136_algorithm ?? 'HMAC-MD5').toLowerCase();
  const known = ['hmac-sha256', 'hmac-sha512', 'hmac-sha1'].includes(algorithm);
  if ('problem' in creds || !server || !ini.dns_rfc2136_name || !ini.dns_rfc2136_secret || !known) {
    const why = 'problem' in creds ? creds.problem : !known ? `certbot's key uses ${algorithm.toUpperCase()}; certfleet accepts HMAC-SHA256, HMAC-SHA512 or HMAC-SHA1: make a new TSIG key` : 'the credentials lack dns_rfc2136_server, _name or _secret';
    return { id: 'todo-rfc2136', lines: ['type: exec', 'command: [/bin/false]'], comments: [`TODO: ${why}; then use type: rfc2136 (docs/providers/rfc2136.md).`], secrets: [] };
  }
  const host = server.includes(':') ? `[${server}]` : server;
  const file = secretFile(root, id, 'secret', ini.dns_rfc2136_secret);
  return {
    id,
    lines: ['type: rfc2136', `server: ${yamlString(`${host}:${ini.dns_rfc2136_port ?? '53'}`)}`, `key_name: ${yamlString(ini.dns_rfc2136_name)}`, `algorithm: ${algorithm}`, `secret_file: ${yamlString(file)}`],
    comments,
    secrets: [{ file, value: ini.dns_rfc2136_secret }],
  };
}
