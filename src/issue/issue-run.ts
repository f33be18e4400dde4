import { certificateName, type Config } from '../config/schema.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import type { Logger } from '../log.js';
import type { RenewalState } from '../scheduler/renewal-policy.js';
import { Renewer, type RenewerHooks, type RenewOutcome } from './renewer.js';
import { sweepStore } from './sweep-store.js';
import { storeFor } from '../store/store-for-config.js';

/** A certificate's outcome with its schedule state as stored after the attempt (last error, next retry). */
export type IssueOutcome = RenewOutcome & { state: RenewalState };

export interface IssueRunOptions {
  only?: string[];
  force?: boolean;
  concurrency?: number;
  onRequest?: RenewerHooks['onRequest'];
}

/**
 * `certfleet issue`: every due certificate of the config once; one failure never stops the
 * others. Outcomes come in config order.
 */
export async function issueAll(config: Config, log: Logger, opts: IssueRunOptions, signal: AbortSignal): Promise<IssueOutcome[]> {
  const store = storeFor(config);
  const renewer = new Renewer({
    config,
    store,
    lookup: new NodeDnsLookup(config.dns.resolvers),
    log,
    hooks: opts.onRequest ? { onRequest: opts.onRequest } : {},
  });
  const selected = config.certificates.filter((c) => !opts.only?.length || opts.only.includes(certificateName(c)));
  const outcomes: IssueOutcome[] = new Array<IssueOutcome>(selected.length);
  let next = 0;
  try {
    // What a killed or failed earlier run left: store debris, then TXT values it noted.
    await sweepStore(store, renewer, log, signal);
    const worker = async () => {
      for (let i = next++; i < selected.length; i = next++) {
        const outcome = await renewer.process(selected[i]!, { force: opts.force ?? false }, signal);
        outcomes[i] = { ...outcome, state: await store.readState(outcome.name) };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? config.scheduler.concurrency, selected.length)) }, worker));
  } finally {
    await renewer.close();
  }
  return outcomes;
}
