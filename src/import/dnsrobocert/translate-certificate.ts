import { findShellSyntax, splitWords } from '../../config/split-words.js';
import { lineageOf, posixMode } from './business-rules.js';
import type { DrcCertificate, DrcConfig } from './dnsrobocert-schema.js';
import { hasEnvReference } from './env-references.js';
import type { Translation } from './translation.js';
import type { Path } from './validate-schema.js';

const KEY_TYPES: Record<string, string> = { rsa: 'rsa-2048', ecdsa: 'ecdsa-p256' };
/** certfleet's rule for names (config/schema.ts): they become one directory under live/. */
const CERTFLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Which container engines the deploy actions use: the `containers` section follows from it. */
export interface EngineUse { docker: boolean; podman: boolean }

/**
 * One certificate. Its deploy actions come in the order DNSroboCert's deploy hook ran them
 * (core/hooks.py deploy()): PFX export, permissions, Docker restarts and Swarm updates per
 * autorestart item, then the Podman restarts, the autocmd commands, and last the deploy hook.
 */
export function translateCertificate(c: DrcCertificate, at: Path, index: number, acme: DrcConfig['acme'], engines: EngineUse, out: Translation): Record<string, unknown> {
  const to: Path = ['certificates', index];
  const name = lineageOf(c)!;
  if (!hasEnvReference(name) && (!CERTFLEET_NAME.test(name) || name.includes('..'))) {
    out.problem([...at, c.name ? 'name' : 'domains'], `certfleet cannot use the certificate name ${JSON.stringify(name)}: expected letters, digits, ".", "_" or "-" (it is the directory live/<name>/)`);
  }
  const cert: Record<string, unknown> = { name, domains: c.domains, dns: c.profile };
  if (!c.name) out.comment([...to, 'name'], 'DNSroboCert\'s lineage: the first domain without "*.", written out so live/<name>/ stays where it was.');

  if (c.key_type === undefined) {
    cert.key_type = 'rsa-2048';
    out.comment([...to, 'key_type'], "DNSroboCert's default (certbot's RSA 2048); certfleet's own default is ecdsa-p256.");
  } else if (hasEnvReference(c.key_type)) {
    out.problem([...at, 'key_type'], 'key_type from the environment cannot be translated: certfleet names key types rsa-2048 and ecdsa-p256; write the type in the file');
  } else {
    cert.key_type = KEY_TYPES[c.key_type];
    if (c.key_type === 'ecdsa') out.comment([...to, 'key_type'], 'certbot\'s ecdsa default curve: P-256.');
  }
  cert.follow_cnames = c.follow_cnames ?? false;
  if (c.follow_cnames === undefined) out.comment([...to, 'follow_cnames'], "DNSroboCert's default (CNAMEs at _acme-challenge not followed); certfleet's own default is true.");
  if (c.reuse_key !== undefined && c.reuse_key !== false) cert.reuse_key = c.reuse_key;
  if (c.force_renew !== undefined && c.force_renew !== false) {
    cert.force_renew = c.force_renew;
    out.comment([...to, 'force_renew'], 'renews on every run, as DNSroboCert did.');
  }

  const deploy: Record<string, unknown>[] = [];
  const action = (item: Record<string, unknown>, comment?: string) => {
    if (comment) out.comment([...to, 'deploy', deploy.length], comment);
    deploy.push(item);
  };
  const pfx = c.pfx;
  if (pfx && (pfx.export === true || hasEnvReference(pfx.export))) {
    if (hasEnvReference(pfx.export)) out.problem([...at, 'pfx', 'export'], 'pfx.export from the environment cannot be translated: certfleet has a pfx action or none; write true or false');
    if (pfx.passphrase === undefined) action({ pfx: {} }, 'DNSroboCert wrote live/<name>/cert.pfx without a passphrase; certfleet allows that outside production mode only (set passphrase_file).');
    else action({ pfx: { passphrase: pfx.passphrase } }, 'live/<name>/cert.pfx, as DNSroboCert wrote it (passphrase_file: PATH keeps the passphrase out of this file).');
  }
  action(permissions(acme?.certs_permissions ?? {}), acme?.certs_permissions
    ? 'acme.certs_permissions: DNSroboCert applied them to every certificate after each issuance (unset modes: its defaults 0640 and 0750).'
    : "DNSroboCert's defaults (0640 files, 0750 directories), applied after each issuance even without acme.certs_permissions; certfleet's own default leaves keys 0600.");
  for (const r of c.autorestart ?? []) {
    if (r.containers?.length) {
      engines.docker = true;
      action({ container: { restart: r.containers } });
    }
    if (r.swarm_services?.length) {
      engines.docker = true;
      action({ container: { services: r.swarm_services } }, 'docker service update --force, as DNSroboCert ran it.');
    }
  }
  for (const r of c.autorestart ?? []) {
    if (!r.podman_containers?.length) continue;
    engines.podman = true;
    action({ container: { restart: r.podman_containers } }, 'podman_containers: DNSroboCert restarted them after all Docker restarts.');
  }
  (c.autocmd ?? []).forEach((a, i) => {
    if (!a.containers?.length) {
      out.note([...at, 'autocmd', i], 'no containers: DNSroboCert ran nothing for it, so nothing is translated');
      return;
    }
    engines.docker = true;
    const { command, comment } = containerCommand(a.cmd);
    action({ container: { exec: { containers: a.containers, command } } }, comment);
  });
  if (c.deploy_hook !== undefined && c.deploy_hook !== '') {
    action({ hook: ['/bin/sh', '-c', c.deploy_hook] }, 'DNSroboCert ran deploy_hook through a shell (shell=True), so it runs through /bin/sh here, explicitly. '
      + 'It had DNSroboCert\'s whole environment; certfleet passes a minimal one with CERTFLEET_*, RENEWED_LINEAGE, RENEWED_DOMAINS and DNSROBOCERT_CERTIFICATE_* '
      + '(use the long form {command, pass_env: [...]} for other variables the command reads).');
  }
  cert.deploy = deploy;
  return cert;
}

function permissions(p: NonNullable<NonNullable<DrcConfig['acme']>['certs_permissions']>): Record<string, unknown> {
  const mode = (v: number | string | undefined, fallback: number) => {
    if (hasEnvReference(v)) return v;
    return `0${(v === undefined ? fallback : posixMode(v)!).toString(8).padStart(3, '0')}`;
  };
  const out: Record<string, unknown> = { files_mode: mode(p.files_mode, 0o640), dirs_mode: mode(p.dirs_mode, 0o750) };
  if (p.user !== undefined) out.user = p.user;
  if (p.group !== undefined) out.group = p.group;
  return { permissions: out };
}

/**
 * DNSroboCert ran a list as `docker exec <container> <list...>` and a string through the host's
 * shell as `docker exec <container> <string>`. A string without shell syntax splits into the
 * same words here; one with it keeps its shell, now inside the container.
 */
function containerCommand(cmd: string | string[]): { command: string[]; comment?: string } {
  if (Array.isArray(cmd)) return { command: cmd };
  if (!findShellSyntax(cmd)) {
    try {
      return { command: splitWords(cmd), comment: `"${cmd}": DNSroboCert split it through a shell; the same words here.` };
    } catch {
      // Unbalanced quotes: left to a shell, below, as DNSroboCert left it to one.
    }
  }
  return {
    command: ['/bin/sh', '-c', cmd],
    comment: "DNSroboCert gave this string to the host's shell (variables came from DNSroboCert's environment); it now runs through /bin/sh inside the container, which must have one.",
  };
}
