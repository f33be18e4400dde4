import type { DrcConfig } from './dnsrobocert-schema.js';
import { collectEnvNames, envPrefixesFor, hasEnvReference, isReadableName } from './env-references.js';
import { translateCertificate, type EngineUse } from './translate-certificate.js';
import { translateProfile } from './translate-profile.js';
import { Translation } from './translation.js';

/** Where DNSroboCert's container looked for each engine (core/hooks.py). */
const DOCKER_SOCKET = '/var/run/docker.sock';
const PODMAN_SOCKET = '/run/podman/podman.sock';

/**
 * A validated DNSroboCert config -> the certfleet config that behaves the same, with a comment
 * wherever a choice was made and a note for each key that has no counterpart.
 */
export function translateConfig(drc: DrcConfig): { config: Record<string, unknown>; translation: Translation } {
  const out = new Translation();
  const config: Record<string, unknown> = {};
  if (drc.draft !== undefined && drc.draft !== false) {
    config.draft = drc.draft;
    out.comment(['draft'], "DNSroboCert's draft mode: validate, change nothing (the same as run --dry-run).");
  }
  const names = collectEnvNames(drc);
  for (const name of names) {
    if (!isReadableName(name)) out.problem([], `\${${name}}: certfleet reads variables named with letters, digits and "_" only`);
  }
  if (names.size > 0) {
    config.env_prefixes = envPrefixesFor(names);
    out.comment(['env_prefixes'], 'certfleet reads only the variables these prefixes allow: the ones this file refers to.');
  }
  config.acme = translateAcme(drc, out);
  config.store = { path: '/etc/letsencrypt' };
  out.comment(['store'], "Where DNSroboCert's certbot kept the certificates (its default; change it if you mounted another directory). "
    + 'Run `certfleet import certbot /etc/letsencrypt` once first: it adopts the existing certificates in place, nothing is reissued.');

  const engines: EngineUse = { docker: false, podman: false };
  const providers: Record<string, unknown> = {};
  (drc.profiles ?? []).forEach((p, i) => {
    if (hasEnvReference(p.name)) out.problem(['profiles', i, 'name'], 'a profile name from the environment cannot be translated: it becomes the key of dns.providers, which is never substituted');
    providers[p.name] = translateProfile(p, ['profiles', i], out);
  });
  const certificates = (drc.certificates ?? []).map((c, i) => translateCertificate(c, ['certificates', i], i, drc.acme, engines, out));
  if (engines.podman) {
    config.containers = { socket: engines.docker ? [DOCKER_SOCKET, PODMAN_SOCKET] : PODMAN_SOCKET };
    out.comment(['containers'], engines.docker ? 'DNSroboCert used Docker and Podman, each at its usual socket.' : "DNSroboCert's Podman socket.");
  }
  config.dns = { providers };
  config.certificates = certificates;

  if (drc.api !== undefined) out.note(['api'], 'DNSroboCert accepted this section but never read it');
  return { config, translation: out };
}

function translateAcme(drc: DrcConfig, out: Translation): Record<string, unknown> {
  const acme = drc.acme ?? {};
  const result: Record<string, unknown> = {};
  if (acme.directory_url !== undefined) {
    result.directory = acme.directory_url;
    if (!hasEnvReference(acme.directory_url) && !acme.directory_url.startsWith('https://')) {
      out.problem(['acme', 'directory_url'], `certfleet talks to an ACME server over https only, got ${JSON.stringify(acme.directory_url)}`);
    }
    if (acme.staging !== undefined) out.note(['acme', 'staging'], 'ignored, as DNSroboCert ignored it beside directory_url');
  } else if (hasEnvReference(acme.staging)) {
    out.problem(['acme', 'staging'], 'staging from the environment cannot be translated: certfleet names the directory (letsencrypt or letsencrypt-staging); write true or false');
  } else {
    result.directory = acme.staging === true ? 'letsencrypt-staging' : 'letsencrypt';
  }
  if (acme.api_version !== undefined && acme.api_version !== 2) {
    out.note(['acme', 'api_version'], 'ACME v1 is gone (Let\'s Encrypt turned it off in 2021); certfleet speaks ACME v2 (RFC 8555) only');
  }
  if (acme.email_account !== undefined) result.email = acme.email_account;
  else out.note(['acme'], 'no email_account: DNSroboCert then did not register an account; certfleet registers one without a contact address');
  if (acme.certs_root_path !== undefined) out.note(['acme', 'certs_root_path'], 'DNSroboCert accepted it but never read it; the store is store.path');
  if (acme.crontab_renew !== undefined) {
    out.note(['acme', 'crontab_renew'], 'not needed: the daemon (certfleet run) schedules each renewal itself, from the certificate\'s dates and the CA\'s renewal info');
  }
  return result;
}
