import { certificateName, type Config } from '../config/schema.js';
import type { RenewerHooks, RenewOutcome } from '../issue/renewer.js';
import { sweepStore } from '../issue/sweep-store.js';
import type { Logger } from '../log.js';
import type { RenewalState } from '../scheduler/renewal-policy.js';
import { composeRenewer } from './compose.js';

/** The outcome's state is read for the report even after an interrupt. */
const REPORT = new AbortController().signal;

/** A certificate's outcome with its schedule state as stored after the attempt (last error, next retry). */
export type IssueOutcome = RenewOutcome & { state: RenewalState };

export interface IssueRunOptions {
  only?: string[];
  force?: boolean;
  /** Overrides `scheduler.concurrency` (benchmarks). */
  concurrency?: number;
  onRequest?: RenewerHooks['onRequest'];
}

/**
 * `certfleet issue`: every due certificate of the config once; one failure never stops the
 * others. Outcomes come in config order.
 */
export async function issueAll(config: Config, log: Logger, opts: IssueRunOptions, signal: AbortSignal): Promise<IssueOutcome[]> {
  const { renewer, store, ready, close } = composeRenewer(config, { log, hooks: opts.onRequest ? { onRequest: opts.onRequest } : {} });
  const selected = config.certificates.filter((c) => !opts.only?.length || opts.only.includes(certificateName(c)));
  const outcomes: IssueOutcome[] = new Array<IssueOutcome>(selected.length);
  let next = 0;
  try {
    // A store that cannot be opened fails here, once, before any certificate is looked at.
    await ready(signal);
    // What a killed or failed earlier run left: store debris, then TXT values it noted.
    await sweepStore(store, renewer, log, signal);
    const worker = async () => {
      for (let i = next++; i < selected.length; i = next++) {
        const outcome = await renewer.process(selected[i]!, { force: opts.force ?? false, run: 'once' }, signal);
        outcomes[i] = { ...outcome, state: (await store.readState(outcome.name, REPORT)).state };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? config.scheduler.concurrency, selected.length)) }, worker));
  } finally {
    await renewer.close();
    await close();
  }
  return outcomes;
}
