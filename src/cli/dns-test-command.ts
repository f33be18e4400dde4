import { createProvider } from '../dns/create-provider.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import { dnsTest } from '../dns/dns-test.js';
import { normalizeDomain } from '../domain-name.js';
import { processRedactor } from '../redaction.js';
import { collectSecrets } from '../config/secret.js';
import { configFor, logFor, parseCommand, UsageError } from './cli-options.js';

/** One line per step (locate, write, propagation, delete) with its duration; exit 1 if one failed. */
export async function runDnsTest(args: string[]): Promise<number> {
  const values = parseCommand(args, { provider: { type: 'string' }, domain: { type: 'string' } });
  if (!values.provider || !values.domain) throw new UsageError('dns-test needs --provider ID and --domain NAME');
  const config = await configFor(values);
  if (!config) return 2;
  if (!(values.provider in config.dns.providers)) {
    throw new UsageError(`no DNS provider ${JSON.stringify(values.provider)} in the config; defined: ${Object.keys(config.dns.providers).join(', ') || 'none'}`);
  }
  let domain: string;
  try {
    domain = normalizeDomain(values.domain);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const redactor = processRedactor;
  redactor.add(collectSecrets(config));
  const log = logFor(values, config, redactor);
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort(new Error('interrupted'))).once('SIGTERM', () => ac.abort(new Error('interrupted')));
  const pcfg = config.dns.providers[values.provider]!;
  const provider = await createProvider(values.provider, pcfg, { log: log.child({ component: 'dns', provider: values.provider }) });
  const steps = await dnsTest(provider, pcfg, domain, { lookup: new NodeDnsLookup(config.dns.resolvers) }, ac.signal, (s) => {
    process.stdout.write(redactor.redact(`${s.step.padEnd(11)} ${s.ok ? 'ok  ' : 'FAIL'} ${(s.ms / 1000).toFixed(3).padStart(7)} s  ${s.detail}\n`));
  });
  return steps.length > 0 && steps.every((s) => s.ok) ? 0 : 1;
}
