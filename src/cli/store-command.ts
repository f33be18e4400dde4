import { errorMessage } from '../errors.js';
import type { ConfiguredStores } from '../store/store-for-config.js';
import { storesFor } from '../store/store-for-config.js';
import { copyStore, type CopyableStore } from '../store/store-copy.js';
import { configFor, parseCommand, UsageError } from './cli-options.js';

/**
 * `certfleet store migrate --config FILE --to FILE2`: copies the store of FILE into the store of
 * FILE2 (directory ⇄ postgres): accounts, every certificate's current version with its version
 * number, and schedule state, each certificate under its lock in both; nothing is reissued, and
 * a second run copies nothing. Exit 0 when done, 1 when the copy failed part-way (run it again).
 */
export async function runStore(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') throw new UsageError(`store needs a subcommand: migrate${sub ? ` (not ${JSON.stringify(sub)})` : ''}; see certfleet store --help`);
  const values = parseCommand(rest, { to: { type: 'string' } });
  if (!values.to) throw new UsageError('store migrate needs --to FILE2: the config whose store receives the copy');
  const from = await configFor(values);
  const to = await configFor({ config: values.to });
  if (!from || !to) return 2;
  const source = storesFor(from);
  const target = storesFor(to);
  try {
    if (from.store.type === to.store.type && from.store.path === to.store.path && from.store.type === 'directory') {
      throw new UsageError(`--config and --to name the same store (${from.store.path})`);
    }
    const signal = AbortSignal.timeout(60 * 60_000);
    // Both are opened first: an unreachable database is one STORE_DB error (exit 2) before anything is copied.
    await source.ready(signal);
    await target.ready(signal);
    const s = await copyStore(copyable(source), copyable(target), signal);
    const c = s.certificates;
    process.stdout.write(`copied ${s.accounts.copied} account${s.accounts.copied === 1 ? '' : 's'} (${s.accounts.unchanged} already there), `
      + `${c.copied.length} certificate${c.copied.length === 1 ? '' : 's'} (${c.unchanged.length} already there), ${s.states} schedule state${s.states === 1 ? '' : 's'}; nothing was reissued\n`);
    for (const name of c.copied) process.stdout.write(`  copied ${name}\n`);
    for (const name of c.kept) process.stdout.write(`  kept ${name}: the destination has a newer version\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'STORE_DB' || (err as { code?: string }).code === 'STORE_SCHEMA') throw err;
    process.stderr.write(`certfleet: store migrate failed part-way (run it again: what is copied stays): ${errorMessage(err)}\n`);
    return 1;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/** Both implementations storesFor builds are copyable. */
function copyable(stores: ConfiguredStores): CopyableStore {
  return stores.store as CopyableStore;
}
