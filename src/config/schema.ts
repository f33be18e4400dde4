import { z } from 'zod';
import { KEY_TYPES } from '../acme/key-types.js';
import { didYouMeanHint } from '../did-you-mean.js';
import { providerSchema } from './provider-schema.js';
import { storeSchema } from './store-schema.js';
import { argv, argvList, ARGV_ERROR, childEnvOptions, commandWords, domain, duration, hostPort, listenAddress, secret } from './schema-parts.js';

export const DIRECTORY_SHORTCUTS: Record<string, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
  zerossl: 'https://acme.zerossl.com/v2/DV90',
  google: 'https://dv.acme-v02.api.pki.goog/directory',
};

const MODE_ERROR = 'expected an octal mode in quotes, like "0640"';
/**
 * File modes are written as quoted octal ("0640"): YAML 1.2 reads an unquoted 0640 as decimal 640.
 * A number is refused with what YAML made of it, so the message is about the mode, not the action.
 */
const fileMode = z.string({
  error: (iss) => (typeof iss.input === 'number'
    ? `${MODE_ERROR}: YAML read an unquoted mode as the number ${iss.input}; quote it${/^[0-7]{3}$/.test(String(iss.input)) ? `, "0${iss.input}"` : ''}`
    : MODE_ERROR),
}).regex(/^0?[0-7]{3}$/, MODE_ERROR).transform((s) => parseInt(s, 8));
const OWNER_ERROR = 'expected a name, or a numeric id (a whole number from 0 to 4294967294)';
/** A user or group: a name, or a numeric id (`user: 1000`, `group: 33`), as chown takes them. */
const ownerId = z.union([z.string().min(1), z.number().int().min(0, OWNER_ERROR).max(0xffff_fffe, OWNER_ERROR)], { error: OWNER_ERROR });
const actionCommon = {
  timeout: duration.default(60_000).describe('How long the action may take.'),
  required: z.boolean().default(false).describe('A failure fails the certificate (and is retried with backoff); otherwise it is logged and the next action runs.'),
};
function shortHook(command: string[]) {
  return { command, cwd: undefined as string | undefined, env: {} as Record<string, string>, pass_env: [] as string[], timeout: 60_000, required: false };
}
/** The deploy item kinds, in the order of deployItem's options. */
const DEPLOY_KINDS = ['hook', 'permissions', 'pfx', 'copy', 'webhook', 'container'] as const;

/**
 * A union's own message says only that no option fit. When the input shows which option was
 * meant (a deploy item's one key, a hook's shape), that option's first problem is the useful
 * one: "hook: env: expected record, received string".
 */
function meantOption(iss: z.core.$ZodRawIssue, pick: (input: unknown) => number | undefined): string | undefined {
  if (iss.code !== 'invalid_union' || !('errors' in iss)) return undefined;
  const index = pick(iss.input);
  const first = index === undefined || index < 0 ? undefined : iss.errors[index]?.[0];
  if (!first) return undefined;
  return first.path.length ? `${first.path.map(String).join('.')}: ${first.message}` : first.message;
}

/** Why a deploy item is no action: an unknown kind (with the nearest one), or an option dedented beside its kind. */
function deployKindMessage(input: unknown): string {
  const expected = `expected one of ${DEPLOY_KINDS.join(', ')} (one key per list item)`;
  if (!isRecord(input)) return expected;
  const keys = Object.keys(input);
  const kinds = keys.filter((k) => (DEPLOY_KINDS as readonly string[]).includes(k));
  if (keys.length === 1 && kinds.length === 0) return `unknown deploy action ${JSON.stringify(keys[0])}${didYouMeanHint(keys[0]!, DEPLOY_KINDS)}: ${expected}`;
  const others = keys.filter((k) => !kinds.includes(k));
  if (kinds.length === 1 && others.length > 0) {
    // `- copy:` then `  mode: "0640"` one level too far left: YAML makes mode the item's second key.
    return `${others.map((k) => JSON.stringify(k)).join(', ')} ${others.length > 1 ? 'are' : 'is'} beside ${kinds[0]}, not inside it: indent ${others.length > 1 ? 'them' : 'it'} under ${kinds[0]}: (a deploy item has one key, the action)`;
  }
  return expected;
}

/** One deploy action: built with the certificate schema, on first use. */
function deployItem() {
  return z.union([
    z.strictObject({ hook: z.union([
      // The short forms, each one transform (a transform after a failed one would hide its message).
      argvList.transform((command) => shortHook(command)),
      z.string().min(1).transform((s, ctx) => { const words = commandWords(s, ctx); return words ? shortHook(words) : z.NEVER; }),
      z.strictObject({ command: argv.describe('The program and its arguments (never run through a shell).'), cwd: z.string().optional().describe('Working directory of the program.'), ...childEnvOptions, ...actionCommon }),
    ], { error: (iss) => meantOption(iss, (input) => (Array.isArray(input) ? 0 : typeof input === 'string' ? 1 : isRecord(input) ? 2 : undefined)) ?? `${ARGV_ERROR}, or {command, cwd, env, pass_env, timeout, required}` }).describe('Run a program (an argv list, a command string, or the long form): see deploy.md.') }),
    z.strictObject({ permissions: z.strictObject({
      files_mode: fileMode.optional().describe('Mode of the certificate\'s files in the store.'),
      dirs_mode: fileMode.optional().describe('Mode of the certificate\'s directories in the store.'),
      user: ownerId.optional().describe('Owner of the files: a name or a numeric id.'),
      group: ownerId.optional().describe('Group of the files: a name or a numeric id.'),
      ...actionCommon,
    }).describe('Set the owner and mode of the certificate\'s files in the store.') }),
    z.strictObject({ pfx: z.strictObject({
      passphrase: secret.refine((p) => !/[\r\n]/.test(p.reveal()), 'expected one line (openssl reads the passphrase as a line)').optional().describe('Without one, cert.pfx is written unencrypted (as DNSroboCert allows); production mode refuses that.'),
      legacy: z.boolean().default(false).describe('RC2/3DES and SHA-1, for old Windows and Java (production mode refuses it).'), ...actionCommon,
    }).describe('Write cert.pfx (PKCS#12) beside the PEM files.') }),
    z.strictObject({
      copy: z.strictObject({
        fullchain: z.string().optional().describe('Where to copy the certificate and its chain.'), privkey: z.string().optional().describe('Where to copy the private key.'),
        cert: z.string().optional().describe('Where to copy the certificate alone.'), chain: z.string().optional().describe('Where to copy the chain alone.'),
        combined: z.string().optional().describe('The chain and the key in one file, for HAProxy.'),
        mode: fileMode.default(0o600).describe('Mode of the written files.'), user: ownerId.optional().describe('Owner of the written files.'), group: ownerId.optional().describe('Group of the written files.'), ...actionCommon,
      }).describe('Copy the PEM files to other paths (written atomically).'),
    }),
    z.strictObject({ webhook: z.strictObject({
      url: z.url().describe('Where the JSON event is POSTed.'), secret: secret.optional().describe('HMAC-SHA256 key that signs the body (a signature header).'), ...actionCommon,
      timeout: duration.default(10_000).describe('How long the request may take.'),
    }).describe('POST the event to a URL.') }),
    z.strictObject({
      container: z.strictObject({
        restart: z.array(z.string().min(1)).optional().describe('Containers by name, or by label (`label=key` / `label=key=value`).'),
        signal: z.record(z.string().regex(/^SIG[A-Z0-9]+$/, 'expected a signal name like SIGHUP'), z.array(z.string().min(1))).optional().describe('Containers to send a signal to, by signal: `{SIGHUP: [nginx]}`.'),
        exec: z.strictObject({ containers: z.array(z.string().min(1)).min(1).describe('Containers to run the command in.'), command: argv.describe('The command, run inside each container.') }).optional().describe('Run a command inside containers.'),
        services: z.array(z.string().min(1)).optional().describe('Swarm services: a forced rolling update.'),
        ...actionCommon,
      }).refine((c) => c.restart || c.signal || c.exec || c.services, 'expected restart, signal, exec or services').describe('Restart, signal or exec into Docker/Podman containers (see `containers`).'),
    }),
  ], {
    error: (iss) => meantOption(iss, (input) => (isRecord(input) && Object.keys(input).length === 1 ? DEPLOY_KINDS.indexOf(Object.keys(input)[0] as typeof DEPLOY_KINDS[number]) : undefined))
      ?? deployKindMessage(iss.input),
  });
}

function buildCertificateSchema() {
  return z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-" (no path separators)')
      .refine((n) => !n.includes('..'), 'must not contain ".."').optional().describe('The lineage name (its directory in the store); default: the first domain without `*.`.'),
    domains: z.array(domain).min(1, 'expected at least one domain').describe('The names on the certificate (`*.` for a wildcard); the first is its subject.'),
    /** A provider id, or a map of domains (or suffixes) to provider ids: each name goes to the longest match. */
    dns: z.union([z.string(), z.record(z.string(), z.string()).refine((m) => Object.keys(m).length > 0, 'expected at least one domain: provider entry')], {
      error: 'expected a provider id, or a map of domains (or suffixes) to provider ids',
    }).describe('A provider id, or a map of domains (or suffixes) to provider ids: each name goes to the longest match.'),
    follow_cnames: z.boolean().default(true).describe('Follow a CNAME at _acme-challenge.<domain> (delegation) and write where it ends.'),
    key_type: z.enum(KEY_TYPES).default('ecdsa-p256').describe('The private key\'s type.'),
    reuse_key: z.boolean().default(false).describe('Keep the private key across renewals (for pinning, TLSA records).'),
    force_renew: z.boolean().default(false).describe('Renew whether due or not: on every `issue`, at most every 12 hours in the daemon (DNSroboCert\'s twice-daily check).'),
    profile: z.string().optional().describe('ACME profile for this certificate (wins over `acme.profile`).'),
    deploy: z.array(deployItem()).default([]).describe('Actions after each issuance or renewal, in this order.'),
  });
}

/**
 * One `certificates[]` entry: the config file's and the management API's (certificate-entry.ts).
 * Built on first use: the entries of a config file mostly take the fast path (fast-certificate.ts)
 * and the rest of the file is validated with an empty list, so a one-shot start never needs it.
 */
export const certificateSchema = z.lazy(buildCertificateSchema);

export const DEFAULT_LISTEN = '127.0.0.1:9180';
export const DEFAULT_API_LISTEN = '127.0.0.1:9181';
const SOCKET_ERROR = 'expected a socket (a path, unix:// or tcp:// address) or a list of them';
const DIRECTORY_ERROR = 'expected letsencrypt, letsencrypt-staging, zerossl, google or an https URL (or selfsigned, for development only)';

/**
 * Top-level keys the user keeps for himself, as in Compose: a home for YAML anchors
 * (`x-defaults: &d {...}`, then `<<: *d`). Never read; removed before validation.
 */
export const EXTENSION_KEY = /^x-/;

export function withoutExtensions(raw: unknown): unknown {
  return isRecord(raw) ? Object.fromEntries(Object.entries(raw).filter(([k]) => !EXTENSION_KEY.test(k))) : raw;
}

export const configSchema = z.strictObject({
  draft: z.boolean().default(false).describe('Validate and plan only (DNSroboCert\'s `draft`): `run` is `run --dry-run`, `issue` orders nothing.'),
  mode: z.enum(['development', 'production']).optional().describe('`production` (or CERTFLEET_ENV=production) refuses insecure settings at start; otherwise they are warnings.'),
  env_prefixes: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable-name prefix like CERTFLEET_')).min(1).default(['CERTFLEET_']).describe('Read before substitution: which environment variables `${...}` may use.'),
  acme: z.strictObject({
    directory: z.string().default('letsencrypt').transform((d) => DIRECTORY_SHORTCUTS[d] ?? d).pipe(z.union([
      z.literal('selfsigned', { error: DIRECTORY_ERROR }),
      z.url({ protocol: /^https$/, error: DIRECTORY_ERROR }),
    ], { error: DIRECTORY_ERROR })).describe('letsencrypt, letsencrypt-staging, zerossl, google, an https URL, or selfsigned (a local development CA; refused in production mode).'),
    email: z.email().optional().describe('The account contact.'),
    ca_bundle: z.string().optional().describe('PEM file trusted (instead of the system roots) for the ACME server\'s own TLS.'),
    eab: z.strictObject({ kid: z.string().min(1).describe('The key id the CA gave.'), hmac_key: secret.describe('The HMAC key the CA gave.') }).optional().describe('External Account Binding (ZeroSSL, Google, commercial CAs).'),
    profile: z.string().optional().describe('ACME profile for every order (a certificate\'s `profile` wins).'),
    preferred_chain: z.string().optional().describe('Issuer CN of the root to prefer among the CA\'s alternate chains.'),
    allow_staging: z.boolean().default(false).describe('Production mode refuses a staging directory unless this says it is meant.'),
  }).describe('The ACME CA and account.'),
  store: storeSchema,
  dns: z.strictObject({
    resolvers: z.array(hostPort).optional().describe('`host:port` servers for SOA, NS and CNAME lookups; default: the system resolvers.'),
    providers: z.record(z.string(), providerSchema).describe('DNS providers by a name of your choosing: certificates refer to them by it (see Provider options).'),
  }).describe('DNS lookups and the providers that write challenge records.'),
  certificates: z.array(certificateSchema).default([]).describe('The certificates to obtain and renew.'),
  server: z.strictObject({
    listen: listenAddress.default(DEFAULT_LISTEN).describe('/healthz, /readyz, /metrics and the dashboard of `certfleet run` (port 0 picks a free one).'),
    token: secret.optional().describe('The dashboard\'s login token (`token_file`: a file holding it). Off loopback the dashboard is closed (403) without one; /healthz, /readyz and /metrics stay open either way.'),
    api: z.strictObject({
      listen: listenAddress.default(DEFAULT_API_LISTEN).describe('The management API (`/v1/certificates`, api.md): its own listener, apart from server.listen.'),
      token: secret.describe('Bearer token every API request must carry (`token_file`: a file holding it); required, on loopback too.'),
    }).optional().describe('The management API of `certfleet run`: certificates added and removed as data (api.md, `certfleet cert`).'),
  }).default({ listen: DEFAULT_LISTEN }).describe('The HTTP listener of `certfleet run`: health, metrics, dashboard (dashboard.md).'),
  webhook: z.strictObject({
    listen: listenAddress.default('127.0.0.1:8888').describe('The ExternalDNS webhook API (see external-dns.md).'),
    health_listen: listenAddress.default('127.0.0.1:8080').describe('/healthz and /metrics; loopback unless set (a Pod\'s probes need 0.0.0.0:8080).'),
    token: secret.optional().describe('Bearer token every request must carry (`token_file`: a file holding it); required off loopback in production.'),
    allow_acme_challenge: z.boolean().default(false).describe('Write `_acme-challenge` names: whoever can write one there can get certificates for the name.'),
    provider: z.string().min(1).describe('The `dns.providers` name whose records it serves.'),
    domain_filter: z.union([
      z.strictObject({ include: z.array(z.string()).default([]).describe('Domains (and their subdomains) served; empty: all.'), exclude: z.array(z.string()).default([]).describe('Domains (and their subdomains) not served.') }),
      z.strictObject({ regex_include: z.string().optional().describe('A regular expression names must match.'), regex_exclude: z.string().optional().describe('A regular expression names must not match.') }),
    ], { error: 'expected {include, exclude} or {regex_include, regex_exclude}' }).default({ include: [], exclude: [] }).describe('Which names it serves: {include, exclude} or {regex_include, regex_exclude}.'),
    default_ttl: z.number().int().min(1).max(2_147_483_647).default(300).describe('TTL given to endpoints that come without one (adjustendpoints).'),
  }).superRefine((w, ctx) => {
    // Checked here, not in the union above, so the message names the pattern that does not compile.
    for (const key of ['regex_include', 'regex_exclude'] as const) {
      const pattern = (w.domain_filter as Partial<Record<typeof key, string>>)[key];
      try {
        // eslint-disable-next-line security/detect-non-literal-regexp
        if (pattern !== undefined) new RegExp(pattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['domain_filter', key], message: `expected a regular expression: ${(err as Error).message}` });
      }
    }
  }).optional().describe('`certfleet webhook`: the ExternalDNS webhook provider.'),
  containers: z.strictObject({
    socket: z.union([z.string().min(1), z.array(z.string().min(1)).min(1, SOCKET_ERROR)], { error: SOCKET_ERROR })
      .default('/var/run/docker.sock').transform((s) => (typeof s === 'string' ? [s] : [...new Set(s)]))
      .describe('A socket path, unix://… or tcp://host:port, or a list of them (Docker and Podman at once: each action looks its containers up on every one).'),
    enabled: z.boolean().default(true).describe('false: every `container` action is skipped.'),
  }).default({ socket: ['/var/run/docker.sock'], enabled: true }).describe('The Docker or Podman Engine API for `container` deploy actions.'),
  notify: z.array(z.strictObject({
    webhook: z.strictObject({
      url: z.url().describe('Where the JSON event is POSTed.'), secret: secret.optional().describe('HMAC-SHA256 key that signs the body.'),
      events: z.array(z.enum(['failed', 'issued', 'renewed'])).min(1).default(['failed']).describe('Which events are sent.'),
      timeout: duration.default(10_000).describe('How long a delivery may take.'),
    }).describe('A webhook told about certificate events.'),
  })).default([]).describe('Webhooks told about certificate events: `failed` by default, `issued` and `renewed` on request.'),
  scheduler: z.strictObject({
    concurrency: z.number().int().min(1).max(64).default(4).describe('Issuances running at once.'),
    revoke_removed: z.boolean().default(false).describe('Revoke a certificate when it is removed from the config (off: it stays on disk, untouched).'),
    txt_cleanup_timeout: duration.default(8_000).describe("Budget for removing an attempt's challenge TXT records, also after an interrupted one: the daemon's shutdown (10 s) must fit it; what is not removed in time is removed at the next look."),
  }).default({ concurrency: 4, revoke_removed: false, txt_cleanup_timeout: 8_000 }).describe('When and how many issuances run.'),
});

/**
 * Checks across fields (provider ids, duplicate names). They read the raw document, so they
 * are reported together with every other problem even when unrelated fields are invalid.
 */
export function crossFieldIssues(raw: unknown): { path: (string | number)[]; message: string }[] {
  const doc = isRecord(raw) ? raw : {};
  const dns = isRecord(doc.dns) ? doc.dns : {};
  const providers = isRecord(dns.providers) ? Object.keys(dns.providers) : [];
  const certs = Array.isArray(doc.certificates) ? doc.certificates : [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  const webhook = isRecord(doc.webhook) ? doc.webhook : undefined;
  if (webhook && typeof webhook.provider === 'string' && !providers.includes(webhook.provider)) {
    issues.push({ path: ['webhook', 'provider'], message: unknownProvider(webhook.provider, providers) });
  }
  const seen = new Set<string>();
  certs.forEach((c: unknown, i) => {
    if (!isRecord(c)) return;
    const name = crossFieldName(c);
    if (name !== undefined) {
      if (seen.has(name)) issues.push({ path: ['certificates', i, 'name'], message: `duplicate certificate name ${JSON.stringify(name)}` });
      seen.add(name);
    }
    const unknown = (id: unknown) => typeof id === 'string' && !providers.includes(id);
    const message = (id: string) => unknownProvider(id, providers);
    if (typeof c.dns === 'string' && unknown(c.dns)) issues.push({ path: ['certificates', i, 'dns'], message: message(c.dns) });
    if (isRecord(c.dns)) {
      for (const [suffix, id] of Object.entries(c.dns)) if (unknown(id)) issues.push({ path: ['certificates', i, 'dns', suffix], message: message(id as string) });
    }
  });
  return issues;
}

/** The name an entry's duplicate check goes by: `name`, else its first domain as a lineage name. */
export function crossFieldName(c: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof c.name === 'string') return c.name;
  return Array.isArray(c.domains) && typeof c.domains[0] === 'string' ? c.domains[0].toLowerCase().replace(/^\*\./, '').replace(/\.$/, '') : undefined;
}

function unknownProvider(id: string, defined: string[]): string {
  return `unknown DNS provider ${JSON.stringify(id)}${didYouMeanHint(id, defined)}; defined: ${defined.join(', ') || 'none'}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export type Config = z.output<typeof configSchema>;
export type { ProviderConfig } from './provider-schema.js';
export type CertificateConfig = Config['certificates'][number] & { name: string };

export { certificateName } from './certificate-name.js';
