import { childEnv } from '../child/child-env.js';
import { runChild } from '../child/run-child.js';
import { providerFor } from '../dns/cname-chain.js';
import { CertfleetError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

/** The environment of a hook: certfleet's variables and the certbot / DNSroboCert ones (INTERFACE.md). */
export function hookEnvironment(e: CertificateEvent): Record<string, string> {
  const paths = e.local.paths(e.name);
  return {
    CERTFLEET_CERT_NAME: e.name,
    CERTFLEET_DOMAINS: e.domains.join(','),
    CERTFLEET_LIVE_DIR: paths.liveDir,
    CERTFLEET_CERT_PATH: paths.cert,
    CERTFLEET_KEY_PATH: paths.privkey,
    CERTFLEET_FULLCHAIN_PATH: paths.fullchain,
    CERTFLEET_CHAIN_PATH: paths.chain,
    CERTFLEET_EVENT: e.event,
    CERTFLEET_NOT_AFTER: e.certificate.meta.notAfter,
    RENEWED_LINEAGE: paths.liveDir,
    RENEWED_DOMAINS: e.domains.join(' '),
    DNSROBOCERT_CERTIFICATE_NAME: e.name,
    DNSROBOCERT_CERTIFICATE_DOMAINS: e.domains.join(','),
    DNSROBOCERT_CERTIFICATE_PROFILE: e.profile,
  };
}

/**
 * The provider id a certificate's hooks report as its profile: `dns` itself, or for a map of
 * domains to providers the one its first domain is routed to (the longest matching suffix).
 */
export function dnsProfile(dns: string | Record<string, string>, domains: readonly string[]): string {
  const first = domains[0]?.replace(/^\*\./, '') ?? '';
  return providerFor(dns, first) ?? Object.values(dns)[0] ?? '';
}

export interface HookOptions {
  /** The program and its arguments. */
  argv: string[];
  cwd?: string;
  /** Variables set for the hook (`env`). */
  env?: Record<string, string>;
  /** Variables of certfleet's environment passed on by name (`pass_env`). */
  passEnv?: string[];
}

/**
 * Runs a program as argv — never through a shell, so nothing in a domain name or an option
 * is interpreted — with an allow-list environment (childEnv): no secret of certfleet's own
 * environment reaches it unless named. Its output goes to the log (redacted), line by line.
 */
export class HookAction implements DeployAction {
  readonly kind = 'hook';
  readonly describe: string;

  constructor(private readonly opts: HookOptions, readonly timeoutMs: number, readonly required: boolean) {
    if (opts.argv.length === 0 || !opts.argv[0]) throw new CertfleetError('CONFIG_INVALID', 'a hook needs a program');
    this.describe = `hook ${opts.argv[0]}`;
  }

  async run(event: CertificateEvent, ctx: { log: Logger; signal: AbortSignal }): Promise<void> {
    // runDeploy's logger already says `action: hook`; only the program is added here.
    const log = ctx.log.child({ program: this.opts.argv[0] });
    const env = childEnv({ ...(this.opts.passEnv ? { passEnv: this.opts.passEnv } : {}), ...(this.opts.env ? { env: this.opts.env } : {}), own: hookEnvironment(event) });
    const outcome = await runChild({ argv: this.opts.argv, env, ...(this.opts.cwd ? { cwd: this.opts.cwd } : {}), timeoutMs: this.timeoutMs, log, signal: ctx.signal });
    switch (outcome.kind) {
      case 'exited':
        if (outcome.code === 0) return;
        throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: exited with ${outcome.code ?? outcome.signal}; its output is in the log`);
      case 'timed-out':
        throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: timed out after ${this.timeoutMs} ms and was killed`);
      case 'aborted':
        throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: interrupted`);
      case 'not-started':
        throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: cannot start: ${outcome.reason}`);
    }
  }
}
