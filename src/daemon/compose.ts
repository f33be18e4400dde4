import type { Config } from '../config/schema.js';
import { createProvider } from '../dns/create-provider.js';
import { NodeDnsLookup } from '../dns/dns-lookup.js';
import { createIssuer } from '../issuer/create-issuer.js';
import { issuanceTimeoutMs } from '../issue/issuance-deadline.js';
import { Renewer, type Clock, type DeployRunner, type RenewerHooks } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import { Dns01Solver } from '../solver/dns01-solver.js';
import { DnsRouter } from '../solver/dns-router.js';
import { StateUpdates } from '../solver/state-updates.js';
import type { CertificateStore, LocalCertificateDirectory } from '../store/certificate-store.js';
import type { FleetStore } from '../store/fleet-store.js';
import type { ManagedCertificateStore } from '../store/managed-certificates.js';
import { storesFor } from '../store/store-for-config.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { configuredDeploy } from './deploy-runner.js';
import { FleetDelivery, type FleetDeliveryOptions } from './fleet-delivery.js';
import { savingLocally } from './local-save-store.js';
import { webhookNotifier } from './webhook-notifier.js';

/** How long a TXT write or a DNS lookup is retried: a DNS server restart takes seconds. */
const DNS_RETRY_MS = 15_000;

export interface Composed {
  renewer: Renewer;
  store: CertificateStore;
  /** This host's live/ (the directory store's own, or the fleet host's copy). */
  local: LocalCertificateDirectory;
  fleet?: FleetStore;
  /** Fleet mode: the delivery of every host's saves to this host (the daemon starts it). */
  delivery?: FleetDelivery;
  managed: ManagedCertificateStore;
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
  /** The daemon's side of fleet mode; absent (issue, deploy, revoke): own saves are still written locally. */
  fleet?: FleetHooks | undefined;
  /** Overrides the deadline of one issuance attempt (tests); by default the CA's budget plus the longest propagation timeout. */
  issuanceTimeoutMs?: number | undefined;
  /** A stored API certificate that cannot be read (the directory store's `managed/`). */
  onManagedCorrupt?: ((file: string, problem: string) => void) | undefined;
}

/** What the daemon gives a fleet delivery: its specs and its reactions. */
export type FleetHooks = Pick<FleetDeliveryOptions, 'spec' | 'onSaved' | 'onManagedChanged' | 'onDelivery'>;

/**
 * The composition root of `issue`, `run`, `deploy` and `revoke`: the store of the config, the
 * issuer it names, the DNS-01 solver and router, deploy and notify, wired into one pipeline. The
 * only place that knows which implementation stands behind each seam.
 */
export function composeRenewer(config: Config, o: ComposeOptions): Composed {
  // The directory store is the certificate store, the account store and this host's live/ at once;
  // in fleet mode the store is PostgreSQL and live/ is this host's LiveDirectory.
  const stores = storesFor(config, o.env ?? process.env, { log: o.log.child({ component: 'store' }), onManagedCorrupt: o.onManagedCorrupt });
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
  const deploy = configuredDeploy({ containers: config.containers, local, log, onDeploy: o.hooks?.onDeploy, updates, now: () => clock.now() });
  const fleet = stores.fleet && composeFleet({ fleet: stores.fleet, shared: store, local, deploy, log, hooks: o.fleet });
  const renewer = new Renewer({
    acme: config.acme, store: fleet?.saving ?? store, updates, local, issuer, solver: { removeLeftovers: (...a) => solverOf().removeLeftovers(...a) },
    deploy, notifier: webhookNotifier(config.notify, clock, log), clock, log, hooks: o.hooks,
    issuanceTimeoutMs: o.issuanceTimeoutMs ?? issuanceTimeoutMs(Object.values(config.dns.providers).map((p) => p.propagation.timeout)),
    // Fleet mode claims: a certificate another host holds is looked at again after the lease TTL.
    ...(fleet ? { claim: { mode: 'skip' as const, retryMs: stores.leaseTtlMs ?? 30_000 } } : {}),
  });
  return {
    renewer, store, local,
    ...(stores.fleet ? { fleet: stores.fleet } : {}), ...(fleet ? { delivery: fleet.delivery } : {}), managed: stores.managed,
    ready: stores.ready, close: stores.close,
  };
}

/**
 * Fleet mode's parts: the delivery of other hosts' saves, and the renewing host's store whose
 * save also writes this host's live/ (in the same per-certificate ledger, so each version is
 * written and deployed here once).
 */
function composeFleet(o: { fleet: FleetStore; shared: CertificateStore; local: LocalCertificateDirectory; deploy: DeployRunner; log: Logger; hooks: FleetHooks | undefined }) {
  const ledger = new DeliveryLedger();
  const log = o.log.child({ component: 'fleet' });
  const delivery = new FleetDelivery({ fleet: o.fleet, store: o.shared, local: o.local, deploy: o.deploy, ledger, log, spec: () => undefined, ...o.hooks });
  const saving = savingLocally(o.shared, { local: o.local, fleet: o.fleet, ledger, log, retry: (name, version) => delivery.retry(name, version) });
  return { delivery, saving };
}
