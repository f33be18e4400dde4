import { absoluteName, canonicalName } from '../../dns-name.js';
import type { Logger } from '../../log.js';
import type { DnsProvider, DnsRecord } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { missingFrom } from '../rrset.js';
import { runHelper } from './lexicon-client.js';
import { helperFailure } from './lexicon-errors.js';

export interface LexiconProviderOptions {
  id: string;
  /** lexicon's provider name (cloudflare, ovh, powerdns, …). */
  provider: string;
  /** Its options by lexicon's names; they reach the helper's environment only. */
  options: Readonly<Record<string, string>>;
  python: string;
  timeoutMs: number;
  /** Already bound to `provider: <id>` by whoever creates the provider. */
  log: Logger;
  /** certfleet's environment, for the child's allow-list; process.env unless a test gives one. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Any of dns-lexicon's providers, through the helper (helper-source.ts): one Python process per
 * call, so a batch of records (the batching provider's group commit) costs one start of Python and
 * one login. The helper lists the name's values first, so it returns what it created or deleted,
 * not simply its input. Calls to one zone are serialised: most lexicon providers read, then write.
 * No getRecords: what lexicon lists differs by provider (quoting, relative names, MX priorities),
 * too much to give as a zone's true records.
 */
export class LexiconProvider implements DnsProvider {
  readonly id: string;
  private readonly locks = new KeyedMutex();

  constructor(private readonly opts: LexiconProviderOptions) {
    this.id = opts.id;
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.change('append', zone, records, signal);
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.change('delete', zone, records, signal);
  }

  private async change(action: 'append' | 'delete', zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const values = missingFrom(zone, records, new Set());
    if (values.length === 0) return [];
    const { provider, options, python } = this.opts;
    const request = {
      action, provider, zone, options: Object.keys(options),
      records: values.map((r) => ({ name: absoluteName(r.name, zone), type: r.type, content: r.data, ttl: r.ttl })),
    };
    const answer = await this.locks.run(canonicalName(zone), () => runHelper({
      python, provider, options, request, timeoutMs: this.opts.timeoutMs, signal,
      log: this.opts.log.child({ action, zone }), ...(this.opts.env ? { from: this.opts.env } : {}),
    }));
    if (!answer.ok) throw helperFailure(answer.error, `lexicon provider ${this.id} (${provider}) ${action} in ${zone}`, python, provider);
    const done = Array.isArray(answer.done) ? answer.done as unknown[] : [];
    return values.filter((_, i) => done.includes(i));
  }
}
