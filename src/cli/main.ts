/** Set by scripts/bundle.mjs (the bundles and the single executable carry no package.json). */
declare const CERTFLEET_VERSION: string | undefined;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'webhook') quietWhenReaderGoes();
  if (command !== undefined && command !== 'help' && (rest.includes('--help') || rest.includes('-h'))) return help(command);
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
    case 'cert': {
      const { runCert } = await import('./cert-command.js');
      return runCert(rest);
    }
    case 'fleet': {
      const { runFleet } = await import('./fleet-command.js');
      return runFleet(rest);
    }
    case 'store': {
      const { runStore } = await import('./store-command.js');
      return runStore(rest);
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
    case 'help':
      return help(rest[0]);
    case 'completion': {
      const { bashCompletion, zshCompletion } = await import('./completion.js');
      if (rest[0] === 'bash' || rest[0] === 'zsh') {
        process.stdout.write(rest[0] === 'bash' ? bashCompletion() : zshCompletion());
        return 0;
      }
      process.stderr.write('certfleet: completion needs a shell: bash or zsh\n');
      return 2;
    }
    case undefined: {
      const { overview } = await import('./command-help.js');
      process.stderr.write(overview());
      return 2;
    }
    case '-h':
    case '--help':
      return help(undefined);
    default: {
      const { COMMANDS, overview } = await import('./command-help.js');
      const { didYouMeanHint } = await import('../did-you-mean.js');
      process.stderr.write(`certfleet: unknown command ${JSON.stringify(command)}${didYouMeanHint(command, COMMANDS.map((c) => c.name))}\n\n${overview()}`);
      return 2;
    }
  }
}

/** `certfleet help [COMMAND]` and `COMMAND --help`: exit 0 with the usage, 2 for an unknown command. */
async function help(command: string | undefined): Promise<number> {
  const { COMMANDS, commandHelp, overview, usage } = await import('./command-help.js');
  if (command === undefined) {
    process.stdout.write(overview());
    return 0;
  }
  const c = commandHelp(command);
  if (!c) {
    const { didYouMeanHint } = await import('../did-you-mean.js');
    process.stderr.write(`certfleet: no command ${JSON.stringify(command)}${didYouMeanHint(command, COMMANDS.map((x) => x.name))}\n\n${overview()}`);
    return 2;
  }
  process.stdout.write(usage(c));
  return 0;
}

/**
 * A reader that goes before the output ends (`certfleet schema | head`): the rest is dropped and
 * the command ends with its own exit code, instead of an unhandled EPIPE with a stack trace. Not
 * for the daemons, which write nothing to stdout.
 */
function quietWhenReaderGoes(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

async function checkoutVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

// Not a top-level await: the single executable runs this file as CommonJS.
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, async (err: unknown) => {
  const { UsageError } = await import('./cli-options.js');
  const { CertfleetError, errorMessage } = await import('../errors.js');
  // A store that cannot be opened (PostgreSQL unreachable, a refused password, a newer schema) is a start-time error: one line, exit 2.
  const startError = err instanceof CertfleetError && (err.code === 'STORE_DB' || err.code === 'STORE_SCHEMA');
  if (!(err instanceof UsageError) && !startError) throw err;
  process.stderr.write(`certfleet: ${startError ? errorMessage(err) : err.message}\n`);
  process.exitCode = 2;
});
