import { z } from 'zod';
import { KEY_TYPES } from '../acme/keys.js';
import { normalizeDomain } from '../domain-name.js';
import { parseDuration } from './duration.js';

const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 2m, 1h or 7d, got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return ms;
});

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+)(:\d{1,5})?$/, 'expected host or host:port');

const domain = z.string().transform((s, ctx) => {
  try {
    return normalizeDomain(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const DIRECTORY_SHORTCUTS: Record<string, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
  zerossl: 'https://acme.zerossl.com/v2/DV90',
  google: 'https://dv.acme-v02.api.pki.goog/directory',
};

const propagation = z.strictObject({
  nameservers: z.array(hostPort).optional(),
  timeout: duration.default(120_000),
}).default({ timeout: 120_000 });

const powerdns = z.strictObject({
  type: z.literal('powerdns'),
  api_url: z.url(),
  api_key: z.string().min(1),
  server_id: z.string().default('localhost'),
  ttl: z.number().int().positive().default(60),
  propagation,
});

export const providerSchema = z.discriminatedUnion('type', [powerdns]);

const certificate = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-" (no path separators)')
    .refine((n) => !n.includes('..'), 'must not contain ".."').optional(),
  domains: z.array(domain).min(1, 'expected at least one domain'),
  dns: z.string(),
  key_type: z.enum(KEY_TYPES).default('ecdsa-p256'),
  reuse_key: z.boolean().default(false),
  profile: z.string().optional(),
});

export const configSchema = z.strictObject({
  acme: z.strictObject({
    directory: z.string().default('letsencrypt').transform((d) => DIRECTORY_SHORTCUTS[d] ?? d).pipe(z.url({ protocol: /^https$/, error: 'expected letsencrypt, letsencrypt-staging, zerossl, google or an https URL' })),
    email: z.email().optional(),
    ca_bundle: z.string().optional(),
    eab: z.strictObject({ kid: z.string().min(1), hmac_key: z.string().min(1) }).optional(),
    profile: z.string().optional(),
    preferred_chain: z.string().optional(),
  }),
  store: z.strictObject({ path: z.string().default('/var/lib/certfleet') }).default({ path: '/var/lib/certfleet' }),
  dns: z.strictObject({
    resolvers: z.array(hostPort).optional(),
    providers: z.record(z.string(), providerSchema),
  }),
  certificates: z.array(certificate).default([]),
}).superRefine((cfg, ctx) => {
  const seen = new Set<string>();
  cfg.certificates.forEach((c, i) => {
    const name = c.name ?? c.domains[0]?.replace(/^\*\./, '') ?? '';
    if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['certificates', i, 'name'], message: `duplicate certificate name ${JSON.stringify(name)}` });
    seen.add(name);
    if (!(c.dns in cfg.dns.providers)) {
      ctx.addIssue({ code: 'custom', path: ['certificates', i, 'dns'], message: `unknown DNS provider ${JSON.stringify(c.dns)}; defined: ${Object.keys(cfg.dns.providers).join(', ') || 'none'}` });
    }
  });
});

export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type CertificateConfig = Config['certificates'][number] & { name: string };

/** Lineage name: `name`, else the first domain without its wildcard label (as DNSroboCert does). */
export function certificateName(c: Config['certificates'][number]): string {
  return c.name ?? c.domains[0]!.replace(/^\*\./, '');
}
