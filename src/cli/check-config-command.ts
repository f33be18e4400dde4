import { configFor, parseCommand } from './cli-options.js';

/** Validates the config: every problem with file:line:column and field path; exit 2 when invalid. */
export async function runCheckConfig(args: string[]): Promise<number> {
  const values = parseCommand(args, {});
  const config = await configFor(values);
  if (!config) return 2;
  process.stdout.write(`${String(values.config)}: valid (${config.certificates.length} certificate${config.certificates.length === 1 ? '' : 's'}, ${Object.keys(config.dns.providers).length} DNS provider${Object.keys(config.dns.providers).length === 1 ? '' : 's'})\n`);
  return 0;
}
