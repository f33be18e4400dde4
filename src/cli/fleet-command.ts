import { errorMessage } from '../errors.js';
import { storesFor } from '../store/store-for-config.js';
import { configFor, parseCommand, UsageError } from './cli-options.js';
import { fleetReport, formatFleetReport } from './fleet-status.js';

const USAGE = 'usage: certfleet fleet status [--config FILE] [--json]\n';

/** `certfleet fleet <subcommand>`: today only `status`. */
export async function runFleet(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'status') return runFleetStatus(rest);
  throw new UsageError(sub === undefined ? `fleet needs a subcommand\n${USAGE}` : `unknown fleet subcommand ${JSON.stringify(sub)}: expected status\n${USAGE}`);
}

/** Hosts, last seen, delivered and behind, leases: one status query against the shared store. */
async function runFleetStatus(args: string[]): Promise<number> {
  const values = parseCommand(args, { json: { type: 'boolean' } });
  const config = await configFor(values);
  if (!config) return 2;
  if (config.store.type !== 'postgres') {
    process.stderr.write(`certfleet: fleet status needs store.type: postgres (${String(values.config)} has a directory store at ${config.store.path}: one host, no fleet)\n`);
    return 2;
  }
  const stores = storesFor(config);
  try {
    const signal = AbortSignal.timeout(30_000);
    await stores.ready(signal);
    const report = fleetReport(await stores.fleet!.status(signal));
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatFleetReport(report));
    return 0;
  } catch (err) {
    // The store's errors name host and port, never the password.
    process.stderr.write(`certfleet: fleet status: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    await stores.close();
  }
}
