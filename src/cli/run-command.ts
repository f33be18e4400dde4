import { ConfigError } from '../config/load-config.js';
import { fitCompilerTiersToText } from '../daemon/compiler-tiers.js';
import { Daemon, StartRefused } from '../daemon/daemon.js';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { processRedactor } from '../redaction.js';
import { configFor, loadedConfigFor, logFor, parseCommand, refusal, UsageError } from './cli-options.js';
import { IncrementalConfigParser } from '../config/incremental-config.js';

/** A stop that hangs (a provider that ignores its signal) must still end the process. */
const SHUTDOWN_DEADLINE_MS = 10_000;

export async function runDaemon(args: string[]): Promise<number> {
  const values = parseCommand(args, { 'dry-run': { type: 'boolean' } });
  if (values['dry-run']) return dryRun(values);
  if (typeof values.config !== 'string') throw new UsageError('run needs --config FILE');
  // `draft: true` is `run --dry-run`: read before anything starts. The daemon starts from this
  // parse, and its reloads reuse the parser's entries.
  const parser = new IncrementalConfigParser();
  // bin/certfleet starts `run` without the optimizing compilers; a big config's parse needs them.
  const first = await loadedConfigFor(values, parser, { beforeParse: fitCompilerTiersToText });
  if (!first) return 2;
  if (first.config.draft) return dryRun(values, first.config);

  const redactor = processRedactor;
  const log = logFor(values, undefined, redactor);
  process.on('unhandledRejection', (err) => log.error({ error: errorMessage(err) }, 'unhandled_rejection'));
  // Handlers first: a signal during the start stops what was started and exits 0 (Node's
  // default would kill the process: 143), and a SIGHUP then must not kill it either.
  const starting = new AbortController();
  let daemon: Daemon | undefined;
  let signalled: ((signal: string) => void) | undefined;
  const onSignal = (signal: string) => {
    setTimeout(() => {
      log.error({ ms: SHUTDOWN_DEADLINE_MS }, 'shutdown_deadline_exceeded');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    if (signalled) signalled(signal);
    else starting.abort(new Error(signal));
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGHUP', () => void daemon?.reload());
  log.info({ config: values.config }, 'starting');
  try {
    daemon = await Daemon.start({ configFile: values.config, log, redactor, parser, initial: first, compactHeap: true }, starting.signal);
  } catch (err) {
    if (starting.signal.aborted && err === starting.signal.reason) return 0;
    if (err instanceof StartRefused) {
      process.stderr.write(refusal(err.findings));
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`certfleet: invalid config:\n${err.message}\n`);
      return 2;
    }
    log.error({ error: errorMessage(err) }, 'start_failed');
    return 1;
  }
  const running = daemon;
  return new Promise<number>((resolve) => {
    signalled = (signal) => {
      running.stop(signal).then(() => resolve(0), (err: unknown) => {
        log.error({ error: errorMessage(err) }, 'stop_failed');
        resolve(1);
      });
    };
  });
}

type Values = Parameters<typeof logFor>[0] & { config?: string | boolean | undefined };

/** `run --dry-run`, and `run` of a config with `draft: true`: the plan, nothing changed. */
async function dryRun(values: Values, loaded?: Config): Promise<number> {
  const config = loaded ?? await configFor(values);
  if (!config) return 2;
  // Imported here: a daemon never plans this way, and what it loads at start it keeps.
  const [{ planCertificates }, { logDraftMode, printPlan }] = await Promise.all([import('../daemon/plan.js'), import('./plan-output.js')]);
  if (config.draft) logDraftMode(logFor(values, config), values.config);
  const plan = await planCertificates(config, AbortSignal.timeout(60_000));
  printPlan(plan, config.draft ? 'draft' : 'dry run');
  return 0;
}
