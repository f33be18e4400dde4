import { childEnv } from '../child/child-env.js';
import { runChild } from '../child/run-child.js';
import { CertfleetError } from '../errors.js';
import type { Logger } from '../log.js';
import { absoluteName, withTrailingDot } from '../dns-name.js';
import type { DnsProvider, DnsRecord } from './dns-provider.js';
import { missingFrom } from './rrset.js';

export interface ExecProviderOptions {
  id: string;
  /** argv: the program and its first arguments; never given to a shell. */
  command: string[];
  /** Variables set for the program (`env`). */
  env?: Record<string, string>;
  /** Variables of certfleet's environment passed on by name (`pass_env`). */
  passEnv?: string[];
  timeoutMs: number;
  /** Already bound to `provider: <id>` by whoever creates the provider. */
  log: Logger;
}

/**
 * Any DNS API through a program of the user's: called as
 * `<command...> present|cleanup <fqdn> <value>` (lego's exec convention), with the same in
 * CERTFLEET_ACTION, CERTFLEET_FQDN, CERTFLEET_VALUE, CERTFLEET_ZONE and CERTFLEET_TTL, in an
 * allow-list environment (childEnv: its credentials come through `env`/`pass_env`, nothing else
 * of certfleet's environment). Exit 0 means done. Its output is logged line by line, through
 * the logger's redactor, and never put into error messages.
 */
export class ExecProvider implements DnsProvider {
  readonly id: string;

  constructor(private readonly opts: ExecProviderOptions) {
    this.id = opts.id;
  }

  /**
   * The program cannot say whether a value was there before (lego's convention is exit 0 or not),
   * so every distinct value it presented is reported created, and every one it cleaned up deleted.
   */
  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const values = missingFrom(zone, records, new Set());
    for (const r of values) await this.run('present', zone, r, signal);
    return values;
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const values = missingFrom(zone, records, new Set());
    for (const r of values) await this.run('cleanup', zone, r, signal);
    return values;
  }

  private async run(action: 'present' | 'cleanup', zone: string, r: DnsRecord, signal: AbortSignal): Promise<void> {
    const fqdn = withTrailingDot(absoluteName(r.name, zone));
    const where = `exec provider ${this.opts.id} (${this.opts.command[0]}) ${action} ${fqdn}`;
    const env = childEnv({
      ...(this.opts.passEnv ? { passEnv: this.opts.passEnv } : {}), ...(this.opts.env ? { env: this.opts.env } : {}),
      own: { CERTFLEET_ACTION: action, CERTFLEET_FQDN: fqdn, CERTFLEET_VALUE: r.data, CERTFLEET_ZONE: zone, CERTFLEET_TTL: String(r.ttl) },
    });
    const log = this.opts.log.child({ action, fqdn });
    const outcome = await runChild({ argv: [...this.opts.command, action, fqdn, r.data], env, timeoutMs: this.opts.timeoutMs, log, signal });
    switch (outcome.kind) {
      case 'exited':
        if (outcome.code === 0) return;
        // Its output is in the (redacted) log, not in the message: a message also reaches
        // the state file and the CLI's summary, and the program may print its credentials.
        throw new CertfleetError('DNS_PROVIDER', `${where}: exited with ${outcome.code ?? outcome.signal}; its output is in the log (provider ${this.opts.id})`);
      case 'timed-out':
        throw new CertfleetError('DNS_PROVIDER', `${where}: timed out after ${this.opts.timeoutMs} ms`, { retryable: true });
      case 'aborted':
        throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      case 'not-started':
        throw new CertfleetError('DNS_PROVIDER', `${where}: cannot start: ${outcome.reason}`);
    }
  }
}
