import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { isLoopbackListen } from '../http/loopback.js';
import type { Config } from '../config/schema.js';
import { Secret } from '../config/secret.js';
import { storedPrivateKeyFiles } from '../store/private-key-files.js';

export interface Finding { problem: string; fix: string; severity: 'error' | 'warning' }

const PLACEHOLDERS = /^(changeme|change-me|changeit|devtoken|dev|secret|password|passw0rd|test|testing|example|admin|default|token|apikey|api-key|123456+|x+|todo|replace-?me)$/i;
const MIN_SECRET_LENGTH = 32;

/** Whether production mode is on: `mode: production` in the config, or CERTFLEET_ENV=production. */
export function isProduction(config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  return config.mode === 'production' || (config.mode === undefined && env.CERTFLEET_ENV === 'production');
}

/**
 * Every insecure setting at once, each with how to fix it. In production mode the errors refuse
 * the start and every reload; otherwise everything is a warning. No config setting turns TLS
 * verification off; the one process-wide switch, NODE_TLS_REJECT_UNAUTHORIZED=0, is a finding.
 */
export async function securityFindings(config: Config, opts: { env?: NodeJS.ProcessEnv; uid?: number; storedKeys?: boolean } = {}): Promise<Finding[]> {
  const env = opts.env ?? process.env;
  const out: Finding[] = [];
  const error = (problem: string, fix: string) => out.push({ problem, fix, severity: 'error' });
  const plainHttp = (where: string, url: string) => {
    const host = new URL(url).hostname;
    if (url.startsWith('http:') && !isLoopback(host)) error(`${where} is plain http to ${host}: events (and their signature) cross the network in the clear`, 'use https');
  };

  for (const [id, p] of Object.entries(config.dns.providers)) {
    for (const [option, url] of credentialUrls(p)) {
      if (url.startsWith('http:') && !isLoopback(new URL(url).hostname)) {
        error(`dns.providers.${id}.${option} is plain http to ${new URL(url).hostname}: credentials cross the network in the clear`, 'use https (with ca_bundle for a private CA), or reach the API over loopback');
      }
    }
  }
  const secretFiles = new Map<string, string>();
  for (const [where, value] of configSecrets(config)) {
    const v = value.reveal();
    if (PLACEHOLDERS.test(v.trim())) error(`${where} is a placeholder value`, 'set the real credential (a secret file is best: <option>_file)');
    else if (v.length < MIN_SECRET_LENGTH) error(`${where} is shorter than ${MIN_SECRET_LENGTH} characters`, 'use a long random credential (openssl rand -base64 32)');
    if (value.source?.kind === 'inline') error(`${where} is written in the config file`, `move it to a secret file (${fileOption(where)}: PATH, mode 0600) or the environment (\${CERTFLEET_…})`);
    if (value.source?.kind === 'file' && !secretFiles.has(value.source.file)) secretFiles.set(value.source.file, where.replace(/\.accounts\..*$/, '.accounts') + '_file');
  }
  if (config.store.encryption_key_file) secretFiles.set(config.store.encryption_key_file, 'store.encryption_key_file');
  for (const [file, what] of secretFiles) {
    // stat, not lstat: Kubernetes mounts secrets as symlinks into ..data.
    const st = await fs.stat(file).catch(() => undefined);
    if (st && (st.mode & 0o007) !== 0) {
      error(`${what} ${file} has mode ${(st.mode & 0o777).toString(8)}: other users can read or change it`, `chmod 600 ${file} (or 640 with certfleet's group; in Kubernetes: defaultMode: 0440)`);
    }
  }
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    error('NODE_TLS_REJECT_UNAUTHORIZED=0 is set: Node would skip TLS certificate checks', 'unset it; trust a private CA with acme.ca_bundle or the provider\'s ca_bundle instead');
  }
  // Webhook: anyone who reaches its port can change the zone's records, so off loopback it needs a token.
  if (config.webhook && !config.webhook.token && !isLoopbackListen(config.webhook.listen)) {
    error(`webhook.listen ${config.webhook.listen} is not a loopback address and webhook.token is not set: anyone who can reach the port can change the zone's records`, 'listen on 127.0.0.1 in ExternalDNS\'s Pod (ExternalDNS sends no token), or set webhook.token_file to a file holding a long random token (openssl rand -base64 32) for a client that sends it');
  }
  // The management API speaks plain HTTP: off loopback its bearer token would cross the network in the clear.
  if (config.server.api && !isLoopbackListen(config.server.api.listen)) {
    error(`server.api.listen ${config.server.api.listen} is not a loopback address: the API is plain HTTP, so its bearer token crosses the network in the clear`, 'listen on 127.0.0.1 and put a TLS reverse proxy (nginx, HAProxy) in front of it for remote clients');
  }
  if (config.acme.directory === 'selfsigned') {
    error('acme.directory is selfsigned: the development issuer, trusted by no client', 'use a real ACME directory (letsencrypt, zerossl, google or your CA\'s URL)');
  }
  if (/staging/i.test(config.acme.directory) && !config.acme.allow_staging) {
    error(`acme.directory is a staging CA (${config.acme.directory}): its certificates are not trusted`, 'use the production directory, or set acme.allow_staging: true if staging is meant');
  }
  config.certificates.forEach((c, i) => c.deploy.forEach((d, j) => {
    if ('permissions' in d && d.permissions.files_mode !== undefined && (d.permissions.files_mode & ~0o640) !== 0) {
      error(`certificates[${i}].deploy[${j}].permissions.files_mode ${d.permissions.files_mode.toString(8)} makes private keys readable or writable beyond owner and group`, 'use "0640" or narrower');
    }
    if ('permissions' in d && d.permissions.dirs_mode !== undefined && (d.permissions.dirs_mode & 0o022) !== 0) {
      error(`certificates[${i}].deploy[${j}].permissions.dirs_mode ${d.permissions.dirs_mode.toString(8)} lets group or others replace the files in the store`, 'use "0750" or narrower');
    }
    if ('copy' in d && (d.copy.privkey || d.copy.combined) && (d.copy.mode & ~0o640) !== 0) {
      error(`certificates[${i}].deploy[${j}].copy.mode ${d.copy.mode.toString(8)} makes a copied private key readable or writable by others`, 'use "0640" or narrower');
    } else if ('copy' in d && (d.copy.mode & 0o002) !== 0) {
      error(`certificates[${i}].deploy[${j}].copy.mode ${d.copy.mode.toString(8)} makes the copies writable by every user`, 'use "0644" or narrower');
    }
    if ('webhook' in d) plainHttp(`certificates[${i}].deploy[${j}].webhook.url`, d.webhook.url);
    if ('pfx' in d && !d.pfx.passphrase) {
      error(`certificates[${i}].deploy[${j}].pfx has no passphrase: cert.pfx holds the private key unencrypted`, 'set pfx.passphrase_file (a file holding the passphrase, mode 0600); leave it out only outside production mode, for a consumer that cannot take one');
    }
    if ('pfx' in d && d.pfx.legacy) {
      error(`certificates[${i}].deploy[${j}].pfx.legacy is true: the key is encrypted with RC2/3DES and SHA-1, which are broken`, 'set legacy: false (AES-256, what current Windows and Java read); keep legacy only for a consumer that cannot, outside production mode');
    }
  }));
  config.notify.forEach((n, i) => plainHttp(`notify[${i}].webhook.url`, n.webhook.url));
  const containerActions = config.containers.enabled && config.certificates.some((c) => c.deploy.some((d) => 'container' in d));
  for (const socket of containerActions ? config.containers.socket.filter((x) => !x.startsWith('tcp://')) : []) {
    error(`containers.socket ${socket} is the engine's own socket: whoever holds it is root on the host`, 'put a socket proxy that allows only the calls certfleet makes in front of it and set containers.socket: tcp://proxy:2375 (docs/deployment.md)');
  }
  const store = await fs.stat(config.store.path).catch(() => undefined);
  if (store && (store.mode & 0o002) !== 0) error(`store.path ${config.store.path} is writable by every user`, `chmod o-w ${config.store.path}`);
  // `storedKeys: false`: a reload of the same store (the walk reads every certificate's archive
  // directory: seconds at 100,000 certificates, and certfleet writes the keys 0600 itself).
  if (opts.storedKeys !== false) out.push(...storedKeyFindings(config.store.path));
  if (config.store.type === 'postgres') {
    // Imported here: pg-connection imports `pg`, which a daemon on the directory store never loads.
    const { pgTarget } = await import('../store/postgres/pg-connection.js');
    const target = pgTarget(config.store.url!.reveal());
    if (!target.socket && !target.verifyFull) {
      error(`store.url connects to PostgreSQL at ${target.where} without sslmode=verify-full: the password and every private key can be read or changed on the way`, 'add ?sslmode=verify-full (with sslrootcert=FILE for a private CA) to the URL, or connect over a unix socket (?host=/run/postgresql)');
    }
  }
  if (!config.store.encryption_key_file && !env.CERTFLEET_STORE_KEY) {
    error(config.store.type === 'postgres' ? 'certificate and account keys are stored unencrypted in PostgreSQL (no store key): whoever reads the database or its backups has them' : 'account keys are stored unencrypted (no store key)', 'set store.encryption_key_file or CERTFLEET_STORE_KEY to 32 random bytes (openssl rand -base64 32), then run certfleet rotate-store-key');
  }
  if ((opts.uid ?? process.getuid?.()) === 0) error('running as root', 'run as a dedicated user that owns the store (the container image uses UID 1000)');
  return out;
}

/**
 * Stored private keys whose mode is wider than 0640 (a synchronous walk of every archive
 * directory). A key behind an archive/ that no one but its owner may enter (certfleet makes it
 * 0700) cannot be read or replaced by another user whatever its own mode, so the walk (seconds
 * at 100,000 certificates, on the event loop) runs only when group or others may pass through.
 */
export function storedKeyFindings(storePath: string): Finding[] {
  const archive = statSync(path.join(storePath, 'archive'), { throwIfNoEntry: false });
  if (!archive || (archive.mode & 0o011) === 0) return [];
  return storedPrivateKeyFiles(storePath).filter((f) => (f.mode & ~0o640) !== 0)
    .map((f) => ({ problem: `${f.path} has mode ${(f.mode & 0o777).toString(8)}, wider than 0640`, fix: `chmod 600 ${f.path}`, severity: 'error' as const }));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `dns.providers.home.api_key` -> `api_key_file`: the option that reads it from a file. */
function fileOption(where: string): string {
  return `${/[^.\]]+$/.exec(where)?.[0] ?? 'option'}_file`;
}

/**
 * A provider's URL options that carry credentials (a token, a signed assertion, a client secret
 * or what they buy): every `*_url` but Google's metadata server, which is plain http by design
 * and reachable only from the VM itself.
 */
function credentialUrls(provider: object): [string, string][] {
  return Object.entries(provider).filter((e): e is [string, string] => e[0].endsWith('_url') && e[0] !== 'metadata_url' && typeof e[1] === 'string');
}

/**
 * lexicon option names that hold credentials. Every lexicon option is kept as a Secret (certfleet
 * cannot tell them apart for logging), but only these are judged as secrets: an entrypoint name
 * (ovh's auth_entrypoint: ovh-eu) or a server URL is no weak password.
 */
const CREDENTIAL_OPTION = /token|secret|pass|psw|key|credential/;

/**
 * The config's Secrets in document order, each with its path as written: a lexicon entry's
 * options sit beside `provider` in the file, not under the `options` the loader gathers them in.
 */
function configSecrets(config: Config): [string, Secret][] {
  const lexicon = new Set<object>(Object.values(config.dns.providers).filter((p) => p.type === 'lexicon'));
  const out = secrets({ ...config, certificates: [] }, '', (value, at) => lexicon.has(value) && 'options' in value
    ? Object.entries(value.options as Record<string, Secret>).filter(([k]) => CREDENTIAL_OPTION.test(k)).map(([k, v]) => [`${at}.${k}`, v])
    : undefined);
  config.certificates.forEach((spec, i) => {
    for (const [at, secret] of specSecrets(spec)) out.push([`certificates[${i}]${at}`, secret]);
  });
  return out;
}

/**
 * A certificate entry's secrets with their paths inside it, once per entry object: the daemon's
 * parser hands an unchanged entry back as the same object, so a reload of 100,000 certificates
 * walks only the entries that changed (the walk of all took about a second per reload).
 */
const entrySecrets = new WeakMap<object, [string, Secret][]>();
function specSecrets(spec: Config['certificates'][number]): [string, Secret][] {
  let found = entrySecrets.get(spec);
  if (!found) entrySecrets.set(spec, found = Object.entries(spec).flatMap(([k, v]) => secrets(v, `.${k}`, () => undefined)));
  return found;
}

type Special = (value: object, at: string) => [string, Secret][] | undefined;

/** Every Secret in the value with its field path; `special` may answer for an object itself. */
function secrets(value: unknown, at: string, special: Special): [string, Secret][] {
  if (value instanceof Secret) return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => secrets(v, `${at}[${i}]`, special));
  if (value !== null && typeof value === 'object') {
    return special(value, at) ?? Object.entries(value).flatMap(([k, v]) => secrets(v, at ? `${at}.${k}` : k, special));
  }
  return [];
}
