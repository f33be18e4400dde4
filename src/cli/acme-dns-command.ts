import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { registerAcmeDnsAccount } from '../dns/acme-dns/acme-dns-provider.js';
import { challengeName, normalizeDomain } from '../domain-name.js';
import { errorMessage } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { configFor, parseCommand, UsageError } from './cli-options.js';

/**
 * `certfleet acme-dns register`: a new acme-dns account for a domain, saved (0600) into the JSON
 * accounts file the provider reads (`accounts_file`), and the CNAME the user must create. The
 * password is written to the file, never printed.
 */
export async function runAcmeDns(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'register') throw new UsageError('usage: certfleet acme-dns register --config FILE --provider ID --domain NAME --accounts-file FILE [--allow-from CIDR]...');
  const values = parseCommand(rest, { provider: { type: 'string' }, domain: { type: 'string' }, 'accounts-file': { type: 'string' }, 'allow-from': { type: 'string', multiple: true } });
  if (!values.provider || !values.domain || !values['accounts-file']) throw new UsageError('acme-dns register needs --provider ID, --domain NAME and --accounts-file FILE');
  const config = await configFor(values);
  if (!config) return 2;
  const p = config.dns.providers[values.provider];
  if (p?.type !== 'acme-dns') throw new UsageError(`--provider ${values.provider} is not an acme-dns provider in the config`);
  const domain = normalizeDomain(values.domain).replace(/^\*\./, '');
  const file = path.resolve(values['accounts-file']);
  let accounts: Record<string, unknown> = {};
  try {
    accounts = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      process.stderr.write(`certfleet: cannot read ${file}: ${errorMessage(err)}\n`);
      return 1;
    }
  }
  let account;
  try {
    account = await registerAcmeDnsAccount(p.api_url, AbortSignal.timeout(30_000), values['allow-from'] ?? []);
  } catch (err) {
    process.stderr.write(`certfleet: ${errorMessage(err)}\n`);
    return 1;
  }
  accounts[domain] = account;
  await writeFileAtomic(file, `${JSON.stringify(accounts, null, 2)}\n`, 0o600, AbortSignal.timeout(30_000));
  process.stdout.write(`registered ${domain} at ${p.api_url}; credentials saved in ${file} (mode 0600)\n`
    + `create this record in the zone of ${domain}:\n  ${challengeName(domain)}. CNAME ${account.fulldomain}.\n`
    + `and give provider ${values.provider} accounts_file: ${file}\n`);
  return 0;
}
