import { certificateName, type Config } from '../config/schema.js';
import { createProvider } from '../dns/create-provider.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import { createIssuer } from '../issuer/create-issuer.js';
import { Renewer, type Clock, type RenewerHooks } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import { Dns01Solver } from '../solver/dns01-solver.js';
import { DnsRouter } from '../solver/dns-router.js';
import { StateUpdates } from '../solver/state-updates.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { FileStore } from '../store/file-store.js';
import { storeFor } from '../store/store-for-config.js';
import { configuredDeploy } from './deploy-runner.js';
import { webhookNotifier } from './webhook-notifier.js';

/** How long a TXT write or a DNS lookup is retried: a DNS server restart takes seconds. */
const DNS_RETRY_MS = 15_000;

export interface Composed {
  renewer: Renewer;
  store: CertificateStore;
  /** The names the config manages (for the start-time sweep). */
  names: string[];
}

export interface ComposeOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv | undefined;
  hooks?: RenewerHooks | undefined;
  clock?: Clock | undefined;
}

/**
 * The composition root of `issue`, `run`, `deploy` and `revoke`: the store of the config, the
 * issuer it names, the DNS-01 solver and router, deploy and notify, wired into one pipeline. The
 * only place that knows which implementation stands behind each seam.
 */
export function composeRenewer(config: Config, o: ComposeOptions): Composed {
  // The directory store is the certificate store, the account store and this host's live/ at once.
  const log = o.log;
  const fileStore: FileStore = storeFor(config, o.env ?? process.env, log.child({ component: 'store' }));
  const clock = o.clock ?? { now: Date.now };
  const lookup = new NodeDnsLookup(config.dns.resolvers);
  const updates = new StateUpdates(fileStore);
  let solver: Dns01Solver | undefined;
  const issuer = createIssuer(config.acme, {
    accounts: fileStore, log, now: () => clock.now(),
    ...(o.hooks?.onRequest ? { onRequest: o.hooks.onRequest } : {}),
    solver: () => solverOf(),
  });
  const solverOf = () => {
    solver ??= new Dns01Solver({
      store: fileStore, updates, lookup, log,
      router: new DnsRouter({ providers: config.dns.providers, lookup, create: (id, cfg) => createProvider(id, cfg, { log: log.child({ component: 'dns', provider: id }) }) }),
      cleanupTimeoutMs: config.scheduler.txt_cleanup_timeout, writeRetryMs: DNS_RETRY_MS, onPropagated: o.hooks?.onPropagated,
    });
    return solver;
  };
  const renewer = new Renewer({
    acme: config.acme, store: fileStore, updates, local: fileStore, issuer, solver: { removeLeftovers: (...a) => solverOf().removeLeftovers(...a) },
    deploy: configuredDeploy({ containers: config.containers, local: fileStore, log, onDeploy: o.hooks?.onDeploy, updates, now: () => clock.now() }),
    notifier: webhookNotifier(config.notify, clock, log), clock, log, hooks: o.hooks,
  });
  return { renewer, store: fileStore, names: config.certificates.map(certificateName) };
}
