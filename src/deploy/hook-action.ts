import { spawn } from 'node:child_process';
import { CertfleetError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

/** The environment of a hook: certfleet's variables and the certbot / DNSroboCert ones (INTERFACE.md). */
export function hookEnvironment(e: CertificateEvent): Record<string, string> {
  return {
    CERTFLEET_CERT_NAME: e.name,
    CERTFLEET_DOMAINS: e.domains.join(','),
    CERTFLEET_LIVE_DIR: e.paths.liveDir,
    CERTFLEET_CERT_PATH: e.paths.cert,
    CERTFLEET_KEY_PATH: e.paths.privkey,
    CERTFLEET_FULLCHAIN_PATH: e.paths.fullchain,
    CERTFLEET_CHAIN_PATH: e.paths.chain,
    CERTFLEET_EVENT: e.event,
    CERTFLEET_NOT_AFTER: e.notAfter,
    RENEWED_LINEAGE: e.paths.liveDir,
    RENEWED_DOMAINS: e.domains.join(' '),
    DNSROBOCERT_CERTIFICATE_NAME: e.name,
    DNSROBOCERT_CERTIFICATE_DOMAINS: e.domains.join(','),
  };
}

/**
 * Runs a program as argv — never through a shell, so nothing in a domain name or an option
 * is interpreted. Its output goes to the log (through the redactor), line by line.
 */
export class HookAction implements DeployAction {
  readonly kind = 'hook';
  readonly describe: string;

  constructor(private readonly argv: string[], readonly timeoutMs: number, readonly required: boolean, private readonly cwd?: string) {
    if (argv.length === 0 || !argv[0]) throw new CertfleetError('CONFIG_INVALID', 'a hook needs a program');
    this.describe = `hook ${argv[0]}`;
  }

  run(event: CertificateEvent, ctx: { log: Logger; signal: AbortSignal }): Promise<void> {
    const [program, ...args] = this.argv;
    const log = ctx.log.child({ action: 'hook', program });
    return new Promise<void>((resolve, reject) => {
      const child = spawn(program!, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...hookEnvironment(event) },
        ...(this.cwd ? { cwd: this.cwd } : {}),
      });
      const forward = (stream: string) => (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) log.info({ stream }, line);
      };
      child.stdout.on('data', forward('stdout'));
      child.stderr.on('data', forward('stderr'));
      let why: string | undefined;
      const stop = (reason: string) => {
        why ??= reason;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      };
      const timer = setTimeout(() => stop(`timed out after ${this.timeoutMs} ms and was killed`), this.timeoutMs);
      const onAbort = () => stop('interrupted');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const done = (err?: Error) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = err.code === 'ENOENT' ? 'no such program' : err.code === 'EACCES' ? 'not executable' : err.message;
        done(new CertfleetError('DEPLOY_FAILED', `${this.describe}: cannot start: ${hint}`));
      });
      child.on('close', (code, signal) => {
        if (why) return done(new CertfleetError('DEPLOY_FAILED', `${this.describe}: ${why}`));
        if (code === 0) return done();
        done(new CertfleetError('DEPLOY_FAILED', `${this.describe}: exited with ${code ?? signal}; its output is in the log`));
      });
    });
  }
}
