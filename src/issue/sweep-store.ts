import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { Renewer } from './renewer.js';

/** The stored certificates whose schedule state notes TXT values an interrupted run left, from one bulk read. */
export async function namesWithLeftoverTxt(store: Pick<CertificateStore, 'schedules'>, signal: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  for await (const page of store.schedules(signal)) for (const { name, state } of page) if (state.state.pendingTxt?.length) names.push(name);
  return names;
}

/**
 * Start-of-run recovery, for `issue` and the daemon: the store's debris (temp files, stray links,
 * abandoned versions of dead writers), then the challenge TXT values an interrupted run noted
 * (`leftovers`: the names whose state notes some; by default found with namesWithLeftoverTxt).
 * Never throws but for an abort: a sweep that fails leaves the run to clean per certificate.
 */
export async function sweepStore(store: Pick<CertificateStore, 'sweep' | 'schedules'>, renewer: Renewer, log: Logger, signal: AbortSignal, leftovers?: Iterable<string>): Promise<void> {
  try {
    const removed = await store.sweep(signal);
    if (removed.length > 0) log.info({ removed: removed.length }, 'store_swept');
  } catch (err) {
    if (signal.aborted) throw err;
    log.warn({ error: errorMessage(err) }, 'store_sweep_failed');
  }
  let names = leftovers;
  try {
    names ??= await namesWithLeftoverTxt(store, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    log.warn({ error: errorMessage(err) }, 'txt_leftover_sweep_failed');
    return;
  }
  await renewer.sweepLeftoverTxt(names, signal);
}
