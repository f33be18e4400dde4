import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { Renewer } from './renewer.js';

/**
 * Start-of-run recovery, for `issue` and the daemon: the store's debris (temp files, stray links,
 * abandoned versions of dead writers), then the challenge TXT values an interrupted run noted,
 * for `names` and every stored certificate. Never throws but for an abort: a sweep that fails
 * leaves the run to clean per certificate.
 */
export async function sweepStore(store: Pick<CertificateStore, 'sweep'>, renewer: Renewer, names: string[], log: Logger, signal: AbortSignal): Promise<void> {
  try {
    const removed = await store.sweep(signal);
    if (removed.length > 0) log.info({ removed: removed.length }, 'store_swept');
  } catch (err) {
    if (signal.aborted) throw err;
    log.warn({ error: errorMessage(err) }, 'store_sweep_failed');
  }
  await renewer.sweepLeftoverTxt(names, signal);
}
