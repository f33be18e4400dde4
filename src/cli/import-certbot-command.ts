import { UsageError } from './cli-options.js';

/** Placeholder until the certbot import lands (issue 17). */
export function runImportCertbot(args: string[]): Promise<number> {
  return Promise.reject(new UsageError(`${'import certbot is not built yet'} (${args.length} arguments given)`));
}
