import { UsageError } from './cli-options.js';

const USAGE = `usage: certfleet import dnsrobocert FILE        print the equivalent certfleet config
       certfleet import certbot DIR [--dry-run]  adopt a certbot store in place (nothing reissued); print its config
`;

/** `certfleet import <source> ...`: each source's translation is its own command module. */
export async function runImport(args: string[]): Promise<number> {
  const [source, ...rest] = args;
  switch (source) {
    case 'dnsrobocert': {
      const { runImportDnsrobocert } = await import('./import-dnsrobocert-command.js');
      return runImportDnsrobocert(rest);
    }
    case 'certbot': {
      const { runImportCertbot } = await import('./import-certbot-command.js');
      return runImportCertbot(rest);
    }
    case undefined:
      throw new UsageError(`import needs a source\n${USAGE}`);
    default:
      throw new UsageError(`cannot import ${JSON.stringify(source)}: expected dnsrobocert or certbot\n${USAGE}`);
  }
}
