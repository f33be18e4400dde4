import { spawn } from 'node:child_process';
import { CertfleetError } from '../errors.js';
import type { Logger } from '../log.js';
import { absoluteName, type DnsProvider, type DnsRecord } from './dns-provider.js';

export interface ExecProviderOptions {
  id: string;
  /** argv: the program and its first arguments; never given to a shell. */
  command: string[];
  timeoutMs: number;
  log: Logger;
}

/**
 * Any DNS API through a program of the user's: called as
 * `<command...> present|cleanup <fqdn> <value>` (lego's exec convention), with the same in
 * CERTFLEET_ACTION, CERTFLEET_FQDN, CERTFLEET_VALUE, CERTFLEET_ZONE and CERTFLEET_TTL. Exit 0
 * means done. Its output is logged line by line, through the logger's redactor, and never put
 * into error messages.
 */
export class ExecProvider implements DnsProvider {
  readonly id: string;

  constructor(private readonly opts: ExecProviderOptions) {
    this.id = opts.id;
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    for (const r of records) await this.run('present', zone, r, signal);
    return records;
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    for (const r of records) await this.run('cleanup', zone, r, signal);
    return records;
  }

  private run(action: 'present' | 'cleanup', zone: string, r: DnsRecord, signal: AbortSignal): Promise<void> {
    const fqdn = `${absoluteName(r.name, zone)}.`;
    const [program, ...args] = this.opts.command;
    const where = `exec provider ${this.opts.id} (${program}) ${action} ${fqdn}`;
    const log = this.opts.log.child({ provider: this.opts.id, action, fqdn });
    return new Promise<void>((resolve, reject) => {
      const child = spawn(program!, [...args, action, fqdn, r.data], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CERTFLEET_ACTION: action, CERTFLEET_FQDN: fqdn, CERTFLEET_VALUE: r.data, CERTFLEET_ZONE: zone, CERTFLEET_TTL: String(r.ttl) },
      });
      const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter((l) => l.trim() !== '')) {
          log.info({ stream }, line);
        }
      };
      child.stdout.on('data', forward('stdout'));
      child.stderr.on('data', forward('stderr'));
      let timedOut = false;
      const kill = () => {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      };
      const timer = setTimeout(() => { timedOut = true; kill(); }, this.opts.timeoutMs);
      const onAbort = () => kill();
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = (err?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      child.on('error', (err) => finish(new CertfleetError('DNS_PROVIDER', `${where}: cannot start: ${err.message}`, { cause: err })));
      child.on('close', (code, sig) => {
        if (signal.aborted) return finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (timedOut) return finish(new CertfleetError('DNS_PROVIDER', `${where}: timed out after ${this.opts.timeoutMs} ms`, { retryable: true }));
        if (code === 0) return finish();
        // Its output is in the (redacted) log, not in the message: a message also reaches
        // the state file and the CLI's summary, and the program may print its credentials.
        finish(new CertfleetError('DNS_PROVIDER', `${where}: exited with ${code ?? sig}; its output is in the log (provider ${this.opts.id})`));
      });
    });
  }
}
