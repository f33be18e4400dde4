import { certificateName, type Config } from '../config/schema.js';
import { createProvider } from '../dns/create-provider.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import type { DnsProvider } from '../dns/dns-provider.js';
import { DEFAULT_PROPAGATION } from '../dns/propagation.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { FileStore, type CertificatePaths } from '../store/file-store.js';
import { accountFromConfig } from './account.js';
import { obtainCertificate } from './obtain-certificate.js';
import { renewalDue } from './renewal-due.js';

export interface IssueOutcome { name: string; result: 'issued' | 'renewed' | 'skipped' | 'failed'; detail: string; paths?: CertificatePaths; ms?: number }

export interface IssueRunOptions {
  only?: string[];
  force?: boolean;
  concurrency?: number;
  onRequest?: Parameters<typeof accountFromConfig>[3];
}

/** Obtains or renews every due certificate of the config once; one failure never stops the others. */
export async function issueAll(config: Config, log: Logger, opts: IssueRunOptions, signal: AbortSignal): Promise<IssueOutcome[]> {
  const store = new FileStore({ root: config.store.path });
  const lookup = new NodeDnsLookup(config.dns.resolvers);
  const providers = new Map<string, DnsProvider>();
  const wanted = config.certificates.filter((c) => !opts.only?.length || opts.only.includes(certificateName(c)));
  const outcomes: IssueOutcome[] = [];
  const due: { c: (typeof wanted)[number]; hadOne: boolean }[] = [];
  for (const c of wanted) {
    const name = certificateName(c);
    const meta = await store.readMeta(name);
    const decision = opts.force ? { due: true, reason: 'forced' } : renewalDue(meta, { domains: c.domains, keyType: c.key_type });
    if (decision.due) due.push({ c, hadOne: meta !== undefined });
    else outcomes.push({ name, result: 'skipped', detail: decision.reason });
  }
  if (due.length === 0) return outcomes;

  let client;
  try {
    client = await accountFromConfig(store, config.acme, signal, opts.onRequest);
  } catch (err) {
    log.error({ error: errorMessage(err) }, 'account_failed');
    return [...outcomes, ...due.map(({ c }) => ({ name: certificateName(c), result: 'failed' as const, detail: `ACME account: ${errorMessage(err)}` }))];
  }
  try {
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { c, hadOne } = next;
        const name = certificateName(c);
        const pcfg = config.dns.providers[c.dns]!;
        let provider = providers.get(c.dns);
        if (!provider) providers.set(c.dns, (provider = createProvider(c.dns, pcfg)));
        const started = performance.now();
        try {
          await using lock = await store.lock(name, signal);
          void lock; // held until this block ends
          const paths = await obtainCertificate({
            name,
            domains: c.domains,
            keyType: c.key_type,
            reuseKey: c.reuse_key,
            profile: c.profile ?? config.acme.profile,
            preferredChain: config.acme.preferred_chain,
            dns: {
              provider,
              ttl: pcfg.ttl,
              propagation: { ...DEFAULT_PROPAGATION, timeoutMs: pcfg.propagation.timeout, ...(pcfg.propagation.nameservers ? { nameservers: pcfg.propagation.nameservers } : {}) },
            },
          }, { client, store, lookup, log }, signal);
          const result = hadOne ? 'renewed' : 'issued';
          const ms = performance.now() - started;
          log.info({ cert: name, domains: c.domains, ms: Math.round(ms) }, result);
          outcomes.push({ name, result, detail: paths.liveDir, paths, ms });
        } catch (err) {
          log.error({ cert: name, error: errorMessage(err) }, 'failed');
          outcomes.push({ name, result: 'failed', detail: errorMessage(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, due.length) }, worker));
  } finally {
    await client.close();
  }
  return outcomes;
}
