import { errorMessage } from '../errors.js';
import { importCertbot } from '../import/certbot/import-certbot.js';
import { NotCertbotStoreError } from '../import/certbot/read-certbot-store.js';
import { UsageError } from './cli-options.js';
import { parseArgs } from 'node:util';

const USAGE = 'usage: certfleet import certbot DIR [--dry-run]';

/**
 * `certfleet import certbot DIR [--dry-run]`: adopts the certbot store in place and prints the
 * equivalent config on stdout; what changed (or would) goes to stderr. Exit 2 for a DIR that is
 * not a certbot store, 1 when a lineage could not be adopted (the others are).
 */
export async function runImportCertbot(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`import certbot needs one DIR (the certbot config directory, like /etc/letsencrypt)\n${USAGE}`);
  const dryRun = parsed.values['dry-run'];
  try {
    const result = await importCertbot(parsed.positionals[0]!, { dryRun, caBundle: process.env.REQUESTS_CA_BUNDLE }, AbortSignal.timeout(300_000));
    process.stdout.write(result.config);
    for (const line of result.changes) process.stderr.write(`${line}\n`);
    if (dryRun) process.stderr.write('dry run: nothing was changed\n');
    for (const p of result.problems) process.stderr.write(`certfleet: ${p}\n`);
    return result.problems.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof NotCertbotStoreError) {
      process.stderr.write(`certfleet: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`certfleet: import certbot failed: ${errorMessage(err)}\n`);
    return 1;
  }
}
