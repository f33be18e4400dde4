import { certificateName, type Config } from '../config/schema.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import type { Logger } from '../log.js';
import { Renewer, type RenewerHooks, type RenewOutcome } from './renewer.js';
import { storeFor } from '../store/store-for-config.js';

export type IssueOutcome = RenewOutcome;

export interface IssueRunOptions {
  only?: string[];
  force?: boolean;
  concurrency?: number;
  onRequest?: RenewerHooks['onRequest'];
}

/** `certfleet issue`: every due certificate of the config once; one failure never stops the others. */
export async function issueAll(config: Config, log: Logger, opts: IssueRunOptions, signal: AbortSignal): Promise<IssueOutcome[]> {
  const renewer = new Renewer({
    config,
    store: storeFor(config),
    lookup: new NodeDnsLookup(config.dns.resolvers),
    log,
    hooks: opts.onRequest ? { onRequest: opts.onRequest } : {},
  });
  const queue = config.certificates.filter((c) => !opts.only?.length || opts.only.includes(certificateName(c)));
  const outcomes: IssueOutcome[] = [];
  try {
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) outcomes.push(await renewer.process(c, { force: opts.force ?? false }, signal));
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? config.scheduler.concurrency, queue.length)) }, worker));
  } finally {
    await renewer.close();
  }
  return outcomes;
}
