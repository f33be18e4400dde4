import { UsageError } from './cli-options.js';

const USAGE = `usage: certfleet <command> [options]

commands:
  issue --config FILE [--cert NAME]... [--force]   obtain or renew what is due, once
  list  --config FILE [--json]                     certificates and their state
  revoke --config FILE --cert NAME [--reason R]    revoke the current certificate
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'issue': {
      const { runIssue } = await import('./issue-command.js');
      return runIssue(rest);
    }
    case 'list': {
      const { runList } = await import('./list-command.js');
      return runList(rest);
    }
    case 'revoke': {
      const { runRevoke } = await import('./revoke-command.js');
      return runRevoke(rest);
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

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`certfleet: ${err.message}\n`);
  process.exitCode = 2;
}
