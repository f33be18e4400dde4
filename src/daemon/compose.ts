import { certificateName, type Config } from '../config/schema.js';
import { createProvider } from '../dns/create-provider.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import { createIssuer } from '../issuer/create-issuer.js';
import { Renewer, type Clock, type RenewerHooks } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import { Dns01Solver } from '../solver/dns01-solver.js';
import { DnsRouter } from '../solver/dns-router.js';
import { StateUpdates } from '../solver/state-updates.js';
import type { CertificateStore, LocalCertificateDirectory } from '../store/certificate-store.js';
import type { FleetStore } from '../store/fleet-store.js';
import type { ManagedCertificateStore } from '../store/managed-certificates.js';
import { storesFor } from '../store/store-for-config.js';
import { configuredDeploy } from './deploy-runner.js';
import { webhookNotifier } from './webhook-notifier.js';

/** How long a TXT write or a DNS lookup is retried: a DNS server restart takes seconds. */
const DNS_RETRY_MS = 15_000;

export interface Composed {
  renewer: Renewer;
  store: CertificateStore;
  /** This host's live/ (the directory store's own, or the fleet host's copy). */
  local: LocalCertificateDirectory;
  fleet?: FleetStore;
  managed?: ManagedCertificateStore;
  /** The names the config manages (for the start-time sweep). */
  names: string[];
  /** Connects the store (postgres) and migrates: call at start; STORE_DB here is exit 2. */
  ready: (signal: AbortSignal) => Promise<void>;
  /** Ends the store's connections. */
  close: () => Promise<void>;
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
  // The directory store is the certificate store, the account store and this host's live/ at once;
  // in fleet mode the store is PostgreSQL and live/ is this host's LiveDirectory.
  const stores = storesFor(config, o.env ?? process.env);
  const { store, local } = stores;
  const clock = o.clock ?? { now: Date.now };
  const log = o.log;
  const lookup = new NodeDnsLookup(config.dns.resolvers);
  const updates = new StateUpdates(store);
  let solver: Dns01Solver | undefined;
  const issuer = createIssuer(config.acme, {
    accounts: store, log, now: () => clock.now(),
    ...(o.hooks?.onRequest ? { onRequest: o.hooks.onRequest } : {}),
    solver: () => solverOf(),
  });
  const solverOf = () => {
    solver ??= new Dns01Solver({
      store, updates, lookup, log,
      router: new DnsRouter({ providers: config.dns.providers, lookup, create: (id, cfg) => createProvider(id, cfg, { log: log.child({ component: 'dns', provider: id }) }) }),
      cleanupTimeoutMs: config.scheduler.txt_cleanup_timeout, writeRetryMs: DNS_RETRY_MS, onPropagated: o.hooks?.onPropagated,
    });
    return solver;
  };
  const renewer = new Renewer({
    acme: config.acme, store, updates, local, issuer, solver: { removeLeftovers: (...a) => solverOf().removeLeftovers(...a) },
    deploy: configuredDeploy({ containers: config.containers, local, log, onDeploy: o.hooks?.onDeploy, updates, now: () => clock.now() }),
    notifier: webhookNotifier(config.notify, clock, log), clock, log, hooks: o.hooks,
  });
  return {
    renewer, store, local, names: config.certificates.map(certificateName),
    ...(stores.fleet ? { fleet: stores.fleet } : {}), ...(stores.managed ? { managed: stores.managed } : {}),
    ready: stores.ready, close: stores.close,
  };
}
