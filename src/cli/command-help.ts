/**
 * Every command's usage, options and examples, in one table: `certfleet help [COMMAND]`,
 * `COMMAND --help`, the overview, "did you mean" and the shell completions all read it, so
 * they cannot disagree.
 */
export interface CommandHelp {
  name: string;
  /** The arguments after the name, as in the usage line. */
  args: string;
  summary: string;
  options: [flag: string, meaning: string][];
  examples: string[];
  /** Exit codes, when there is more than 0 and 2. */
  exits?: string;
}

const CONFIG: [string, string] = ['--config FILE', 'the config file (default: $CERTFLEET_CONFIG, then /etc/certfleet/certfleet.yaml)'];

export const COMMANDS: CommandHelp[] = [
  {
    name: 'run', args: '[--config FILE] [--dry-run]', summary: 'the daemon: renews what is due, deploys, serves /healthz /readyz /metrics',
    options: [CONFIG, ['--dry-run', 'print the plan (what would be issued or renewed, and when) and change nothing']],
    examples: ['certfleet run --config /etc/certfleet/certfleet.yaml', 'certfleet run --dry-run'],
    exits: '0 after a clean shutdown (SIGTERM, SIGINT), 2 config error at start. SIGHUP re-reads the config.',
  },
  {
    name: 'issue', args: '[--config FILE] [--cert NAME]... [--force]', summary: 'obtain or renew what is due, once (for cron or a systemd timer)',
    options: [CONFIG, ['--cert NAME', 'only this certificate (repeatable)'], ['--force', 'renew even when not due']],
    examples: ['certfleet issue', 'certfleet issue --cert web --force'],
    exits: '0 all done, 1 a certificate failed (or waits out a failure backoff), 2 usage or config error',
  },
  {
    name: 'check-config', args: '[--config FILE]', summary: 'validate the config; print every problem with file:line:column and field path',
    options: [CONFIG], examples: ['certfleet check-config --config certfleet.yaml'], exits: '0 valid, 2 invalid',
  },
  {
    name: 'list', args: '[--config FILE] [--json] [--long] [--check [--within 14d]]', summary: 'certificates: domains, expiry, next renewal, last result',
    options: [CONFIG, ['--json', 'machine-readable rows'], ['--long', 'also serial, issuer, validity, paths and the last deploy result'],
      ['--check', 'exit 1 when a certificate is failing or expires within --within (default 14d): a one-line monitor'], ['--within DURATION', 'the window for --check, like 14d or 72h']],
    examples: ['certfleet list', 'certfleet list --long', 'certfleet list --check --within 7d || notify-admin'],
    exits: '0, or with --check: 0 all fine, 1 a certificate is failing or expiring',
  },
  {
    name: 'cert', args: 'add|remove|list [--config FILE | --url URL --token-file FILE] [--json]', summary: 'add, remove and list certificates as data, through the management API (server.api)',
    options: [CONFIG, ['--url URL', 'the API (default: server.api.listen of the config)'], ['--token-file FILE', 'the API token (default: server.api.token of the config)'],
      ['--cert NAME', 'add, remove: the certificate\'s name (add: default the first domain)'], ['--domain D', 'add: a domain (repeatable)'], ['--dns ID', 'add: the dns.providers id'],
      ['--key-type T', 'add: ecdsa-p256 (default), ecdsa-p384, rsa-2048, …'], ['--spec FILE', 'add: a certificates[] entry as JSON (- for stdin) instead of the flags'],
      ['--failing', 'list: only certificates whose last attempt failed'], ['--expiring DURATION', 'list: only those expiring within it (or not issued), like 30d'], ['--json', 'print the API\'s JSON']],
    examples: ['certfleet cert add --domain shop.example.com --dns home', 'certfleet cert list --expiring 30d', 'certfleet cert remove --cert shop.example.com'],
    exits: '0 done (an add of the same spec again too), 1 the API refused it (invalid, taken, not found, rate limited), 2 usage, config or connection error, or a wrong token',
  },
  {
    name: 'fleet', args: 'status [--config FILE] [--json]', summary: 'fleet mode: hosts, last seen, versions delivered or behind, leases held',
    options: [CONFIG, ['--json', 'machine-readable: hosts with what each is behind, and the leases']],
    examples: ['certfleet fleet status', 'certfleet fleet status --json | jq \'.hosts[] | select(.behind | length > 0)\''],
    exits: '0 shown, 1 the shared store could not be read, 2 usage or config error (a directory store has no fleet)',
  },
  {
    name: 'revoke', args: '[--config FILE] --cert NAME [--reason CODE]', summary: 'revoke the current certificate',
    options: [CONFIG, ['--cert NAME', 'the certificate'], ['--reason CODE', 'unspecified, keyCompromise, superseded, cessationOfOperation, …']],
    examples: ['certfleet revoke --cert web --reason superseded'], exits: '0 revoked, 1 failed',
  },
  {
    name: 'deploy', args: '[--config FILE] --cert NAME', summary: 'run the deploy actions again for the current certificate',
    options: [CONFIG, ['--cert NAME', 'the certificate']], examples: ['certfleet deploy --cert web'], exits: '0 done, 1 an action failed',
  },
  {
    name: 'dns-test', args: '[--config FILE] --provider ID --domain NAME', summary: 'write a TXT record, wait until every authoritative server has it, delete it',
    options: [CONFIG, ['--provider ID', 'a dns.providers id'], ['--domain NAME', 'the name to test (_acme-challenge.NAME is written)']],
    examples: ['certfleet dns-test --provider home --domain www.example.com'], exits: '0 every step worked, 1 a step failed',
  },
  {
    name: 'webhook', args: '[--config FILE]', summary: 'the ExternalDNS webhook provider (the webhook: section)',
    options: [CONFIG], examples: ['certfleet webhook --config /etc/certfleet/certfleet.yaml'], exits: 'as run',
  },
  {
    name: 'import', args: 'dnsrobocert FILE | certbot DIR [--dry-run]', summary: 'translate a DNSroboCert config, or adopt a certbot store in place (nothing reissued)',
    options: [['dnsrobocert FILE', 'print the equivalent certfleet config'], ['certbot DIR', 'adopt /etc/letsencrypt-style DIR and print its config'], ['--dry-run', 'with certbot: show what would change, change nothing']],
    examples: ['certfleet import dnsrobocert /etc/dnsrobocert/config.yml > certfleet.yaml', 'certfleet import certbot /etc/letsencrypt --dry-run'],
  },
  {
    name: 'rotate-store-key', args: '[--config FILE] --new-key-file FILE', summary: 're-encrypt the account keys under a new store key',
    options: [CONFIG, ['--new-key-file FILE', '32 bytes, base64 or hex']], examples: ['certfleet rotate-store-key --new-key-file /run/secrets/new-store-key'],
  },
  {
    name: 'store', args: 'migrate --config FILE --to FILE2', summary: 'copy a store into another (directory ⇄ postgres): accounts, certificates, state; nothing reissued',
    options: [CONFIG, ['--to FILE2', 'the config whose store receives the copy']],
    examples: ['certfleet store migrate --config certfleet.yaml --to certfleet-fleet.yaml'],
    exits: '0 copied (a second run copies nothing), 1 failed part-way (run it again), 2 usage, config, or a store that cannot be opened',
  },
  {
    name: 'acme-dns', args: 'register [--config FILE] --provider ID --domain D --accounts-file F', summary: 'register an acme-dns account; print the CNAME to create',
    options: [CONFIG, ['--provider ID', 'an acme-dns provider id'], ['--domain D', 'the domain to delegate'], ['--accounts-file F', 'where the credentials are written (JSON)']],
    examples: ['certfleet acme-dns register --provider adns --domain example.com --accounts-file acme-dns.json'],
  },
  { name: 'schema', args: '', summary: "print the config file's JSON Schema (for editors)", options: [], examples: ['certfleet schema > certfleet.schema.json'] },
  { name: 'completion', args: 'bash|zsh', summary: 'print a shell completion script', options: [], examples: ['certfleet completion bash > /etc/bash_completion.d/certfleet', 'certfleet completion zsh > "${fpath[1]}/_certfleet"'] },
  { name: 'help', args: '[COMMAND]', summary: 'this overview, or one command\'s usage', options: [], examples: ['certfleet help issue'] },
  { name: 'version', args: '', summary: "print certfleet's version", options: [], examples: ['certfleet version'] },
];

const COMMON_OPTIONS = 'options for every command: --log-format json|pretty, --log-level debug|info|warn|error, --help';

export function commandHelp(name: string): CommandHelp | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: certfleet <command> [options]\n\ncommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n\n${COMMON_OPTIONS}\n`
    + "'certfleet help COMMAND' or 'certfleet COMMAND --help' shows a command's options and examples.\n";
}

export function usage(c: CommandHelp): string {
  const width = Math.max(0, ...c.options.map(([f]) => f.length));
  return [
    `usage: certfleet ${c.name}${c.args ? ` ${c.args}` : ''}`, '', c.summary,
    ...(c.options.length ? ['', 'options:', ...c.options.map(([f, m]) => `  ${f.padEnd(width)}  ${m}`)] : []),
    ...(c.exits ? ['', `exit: ${c.exits}`] : []),
    '', 'examples:', ...c.examples.map((e) => `  ${e}`), '', COMMON_OPTIONS, '',
  ].join('\n');
}

/** The flags of a command, for completion: `--config`, `--cert`, … */
export function flagsOf(c: CommandHelp): string[] {
  return [...new Set(c.options.map(([f]) => f.split(' ')[0]!).filter((f) => f.startsWith('--')).concat(['--log-format', '--log-level', '--help']))];
}
