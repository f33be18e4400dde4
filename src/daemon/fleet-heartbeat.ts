import { sleep } from '../abort.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { FleetStore } from '../store/fleet-store.js';

/** Once a minute: what `fleet status` shows as last seen, and the only query an idle host sends. */
export const HEARTBEAT_MS = 60_000;

/**
 * Records this host as alive now and every `everyMs` until `signal` fires. A failed heartbeat
 * (the database down) is logged and the next one comes on time; it never throws.
 */
export async function heartbeatLoop(fleet: Pick<FleetStore, 'heartbeat'>, everyMs: number, log: Logger, signal: AbortSignal): Promise<void> {
  let failing = false;
  while (!signal.aborted) {
    try {
      await fleet.heartbeat(signal);
      if (failing) log.info('fleet_heartbeat_recovered');
      failing = false;
    } catch (err) {
      // Once per outage, not once a minute.
      if (!signal.aborted && !failing) log.warn({ error: errorMessage(err) }, 'fleet_heartbeat_failed');
      failing = true;
    }
    try {
      await sleep(everyMs, signal);
    } catch {
      return;
    }
  }
}
