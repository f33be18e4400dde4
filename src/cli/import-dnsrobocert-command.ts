import { parseArgs } from 'node:util';
import { ConfigError, formatProblem } from '../config/load-config.js';
import { importDnsrobocert } from '../import/dnsrobocert/import-dnsrobocert.js';
import { UsageError } from './cli-options.js';

const USAGE = 'usage: certfleet import dnsrobocert FILE   (prints the equivalent certfleet config on stdout)';

/**
 * `certfleet import dnsrobocert FILE`: the certfleet config on stdout (exit 0), each DNSroboCert
 * key left out on stderr as a note; a file DNSroboCert would refuse gives every problem as
 * file:line:column field path and exit 2.
 */
export async function runImportDnsrobocert(args: string[]): Promise<number> {
  let file: string | undefined;
  try {
    const parsed = parseArgs({ args, options: { 'log-format': { type: 'string' }, 'log-level': { type: 'string' } }, allowPositionals: true, strict: true });
    if (parsed.positionals.length !== 1) throw new Error(`expected one FILE, got ${parsed.positionals.length}`);
    file = parsed.positionals[0];
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  try {
    const result = await importDnsrobocert(file!, AbortSignal.timeout(30_000));
    process.stdout.write(result.yaml);
    for (const n of result.notes) process.stderr.write(`certfleet: note: ${formatProblem(n)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`certfleet: cannot import ${file}:\n${err.message}\n`);
    return 2;
  }
}
