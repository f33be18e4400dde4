import { UsageError } from './cli-options.js';

/** Placeholder until the dnsrobocert import lands (issue 17). */
export function runImportDnsrobocert(args: string[]): Promise<number> {
  return Promise.reject(new UsageError(`${'import dnsrobocert is not built yet'} (${args.length} arguments given)`));
}
