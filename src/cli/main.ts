import { enableCompileCache } from 'node:module';

// V8's code cache for the bundle's chunks (in the OS temp directory; skipped where that is not
// writable): a `certfleet issue` process measured 25-45 ms faster with it. First, so it covers
// every chunk loaded after it.
enableCompileCache();

/** Set by scripts/bundle.mjs (the bundles and the single executable carry no package.json). */
declare const CERTFLEET_VERSION: string | undefined;

const USAGE = `usage: certfleet <command> [options]

commands:
  run --config FILE [--dry-run]                    the daemon (--dry-run: print the plan, change nothing)
  issue --config FILE [--cert NAME]... [--force]   obtain or renew what is due, once
  check-config --config FILE                       validate; print every problem with its location
  schema                                           print the config file's JSON Schema
  list  --config FILE [--json]                     certificates and their state
  revoke --config FILE --cert NAME [--reason R]    revoke the current certificate
  rotate-store-key --config FILE --new-key-file F  re-encrypt the account keys under a new store key
  webhook --config FILE                            the ExternalDNS webhook provider (webhook: section)
  deploy --config FILE --cert NAME                 run the deploy actions again for the current certificate
  dns-test --config FILE --provider ID --domain D  write a TXT record, wait for every authoritative server, delete it
  acme-dns register --config FILE --provider ID --domain D --accounts-file F
                                                   register an acme-dns account; print the CNAME to create

  import dnsrobocert FILE                          print the certfleet config equivalent to a DNSroboCert one
  import certbot DIR [--dry-run]                   adopt a certbot store in place (nothing reissued); print its config
  version                                          print certfleet's version

options for every command: --log-format json|pretty, --log-level debug|info|warn|error
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'issue': {
      const { runIssue } = await import('./issue-command.js');
      return runIssue(rest);
    }
    case 'run': {
      const { runDaemon } = await import('./run-command.js');
      return runDaemon(rest);
    }
    case 'check-config': {
      const { runCheckConfig } = await import('./check-config-command.js');
      return runCheckConfig(rest);
    }
    case 'schema': {
      const { configJsonSchema } = await import('../config/json-schema.js');
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return 0;
    }
    case 'dns-test': {
      const { runDnsTest } = await import('./dns-test-command.js');
      return runDnsTest(rest);
    }
    case 'rotate-store-key': {
      const { runRotateStoreKey } = await import('./rotate-store-key-command.js');
      return runRotateStoreKey(rest);
    }
    case 'webhook': {
      const { runWebhook } = await import('./webhook-command.js');
      return runWebhook(rest);
    }
    case 'deploy': {
      const { runDeployCommand } = await import('./deploy-command.js');
      return runDeployCommand(rest);
    }
    case 'acme-dns': {
      const { runAcmeDns } = await import('./acme-dns-command.js');
      return runAcmeDns(rest);
    }
    case 'import': {
      const { runImport } = await import('./import-command.js');
      return runImport(rest);
    }
    case 'list': {
      const { runList } = await import('./list-command.js');
      return runList(rest);
    }
    case 'revoke': {
      const { runRevoke } = await import('./revoke-command.js');
      return runRevoke(rest);
    }
    case 'version':
    case '--version': {
      process.stdout.write(`certfleet ${typeof CERTFLEET_VERSION === 'string' ? CERTFLEET_VERSION : await checkoutVersion()}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`certfleet: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

async function checkoutVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

// Not a top-level await: the single executable runs this file as CommonJS.
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, async (err: unknown) => {
  const { UsageError } = await import('./cli-options.js');
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`certfleet: ${err.message}\n`);
  process.exitCode = 2;
});
