import { Counter, Gauge, Histogram, Registry } from './prometheus-registry.js';
import { CertificateSeries } from './certificate-series.js';

/**
 * What the metrics read of a pipeline outcome: declared here, not imported, because the
 * pipeline is above this layer (it is handed these hooks by the composition root).
 */
export interface OutcomeSample {
  name: string;
  result: 'issued' | 'renewed' | 'skipped' | 'failed';
  /** When the certificate wants attention next, Unix ms. */
  next?: number;
}

/** The fixed metrics' registry, with the per-certificate series (certificate-series.ts) written after its own. */
class DaemonRegistry extends Registry {
  constructor(private readonly extra: () => string) {
    super();
  }

  override async metrics(): Promise<string> {
    return `${await super.metrics()}\n${this.extra()}`;
  }
}

/** The pipeline's reporting hooks, as the metrics fill them. */
export interface MetricsHooks {
  onRequest(info: { method: string; url: string; status: number; ms: number }): void;
  onPropagated(ms: number): void;
  onOutcome(outcome: OutcomeSample, meta: { notAfter: string } | undefined): void;
  onDeploy(result: { kind: string; result: string }): void;
}

/**
 * The daemon's Prometheus metrics, on a registry of its own. Node's default metrics are left
 * out on purpose: the event-loop-lag one samples on a 10 ms timer, which would wake an idle
 * daemon a hundred times a second.
 */
export class DaemonMetrics {
  /** notAfter, next renewal, failures, last attempt and issued, per certificate. */
  private readonly certificates = new CertificateSeries();
  readonly registry: Registry = new DaemonRegistry(() => this.certificates.render());
  readonly issuances = new Counter({ name: 'certfleet_issuance_attempts_total', help: 'Issuance attempts by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly acmeRequests = new Histogram({
    name: 'certfleet_acme_request_duration_seconds', help: 'ACME requests by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly propagation = new Histogram({ name: 'certfleet_dns_propagation_duration_seconds', help: 'Time until every authoritative server showed the TXT records', buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120], registers: [this.registry] });
  readonly deploys = new Counter({ name: 'certfleet_deploy_actions_total', help: 'Deploy actions by kind and result', labelNames: ['kind', 'result'] as const, registers: [this.registry] });
  readonly reloads = new Counter({ name: 'certfleet_config_reloads_total', help: 'Config reloads by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly managed = new Gauge({ name: 'certfleet_certificates', help: 'Certificates in the loaded config', registers: [this.registry] });
  readonly wakeups = new Counter({ name: 'certfleet_scheduler_wakeups_total', help: 'Times the scheduler timer fired', registers: [this.registry] });
  readonly rss = new Gauge({
    name: 'certfleet_process_resident_memory_bytes', help: 'Resident memory, measured at scrape time', registers: [this.registry],
    collect() { this.set(process.memoryUsage.rss()); },
  });
  readonly heap = new Gauge({
    name: 'certfleet_process_heap_used_bytes', help: 'V8 heap in use, measured at scrape time', registers: [this.registry],
    collect() { this.set(process.memoryUsage().heapUsed); },
  });

  // Fleet mode (issue 15): one series per metric, labelled with this host's id (none without a shared store).
  readonly fleetDeliveries = new Counter({ name: 'certfleet_fleet_deliveries_total', help: 'Versions saved by other hosts (or retried) written to this host\'s live/, by result', labelNames: ['host', 'result'] as const, registers: [this.registry] });
  /** What the fleet gauges read at scrape time; undefined (no series) without a shared store. */
  private fleetSource: { host: string; connected(): boolean; behind(): number } | undefined;
  readonly fleetConnected: Gauge<'host'> = new Gauge({
    name: 'certfleet_fleet_connected', help: '1 while the connection to the shared store is up', labelNames: ['host'] as const, registers: [this.registry],
    collect: () => { const f = this.fleetSource; if (f) this.fleetConnected.set({ host: f.host }, f.connected() ? 1 : 0); },
  });
  readonly fleetBehind: Gauge<'host'> = new Gauge({
    name: 'certfleet_fleet_behind', help: 'Certificates whose current version this host has not delivered yet', labelNames: ['host'] as const, registers: [this.registry],
    collect: () => { const f = this.fleetSource; if (f) this.fleetBehind.set({ host: f.host }, f.behind()); },
  });

  /** Feeds the fleet metrics from what the daemon's delivery knows. */
  fleet(host: string, source: { connected(): boolean; behind(): number }): { delivery(result: 'delivered' | 'failed'): void } {
    this.fleetSource = { host, connected: () => source.connected(), behind: () => source.behind() };
    for (const result of ['delivered', 'failed'] as const) this.fleetDeliveries.inc({ host, result }, 0);
    return { delivery: (result) => this.fleetDeliveries.inc({ host, result }) };
  }

  /** Hooks for the pipeline that feed these metrics. */
  hooks(directoryUrl: string): MetricsHooks {
    return {
      onRequest: (r) => this.acmeRequests.observe({ endpoint: acmeEndpoint(r.method, r.url, directoryUrl), status: String(r.status) }, r.ms / 1000),
      onPropagated: (ms) => this.propagation.observe(ms / 1000),
      onOutcome: (o, meta) => this.outcome(o, meta),
      onDeploy: (r) => this.deploys.inc({ kind: r.kind, result: r.result }),
    };
  }

  constructor(private readonly now: () => number = Date.now) {}

  outcome(o: OutcomeSample, meta: { notAfter: string } | undefined): void {
    if (o.result !== 'skipped') this.issuances.inc({ result: o.result });
    // The failure count starts at 0 with the first outcome (a rate over it works from the start);
    // certificate_issued has a series before there is a certificate, not_after_seconds does not.
    this.certificates.record(o.name, {
      result: o.result, at: Math.round(this.now() / 1000),
      next: o.next === undefined ? undefined : Math.round(o.next / 1000),
      notAfter: meta ? Date.parse(meta.notAfter) / 1000 : undefined,
    });
  }

  /** A certificate removed from the config leaves no series behind. */
  forget(name: string): void {
    this.certificates.forget(name);
  }
}

/**
 * A low-cardinality endpoint label: the directory, newNonce... by their role; per-object URLs
 * (orders, authorizations, certificates) by the kind of object, never by their id.
 */
export function acmeEndpoint(method: string, url: string, directoryUrl: string): string {
  if (url === directoryUrl) return 'directory';
  const p = new URL(url).pathname.toLowerCase();
  const known: [RegExp, string][] = [
    [/nonce/, 'newNonce'], [/renewal-?info|ari/, 'renewalInfo'], [/new-?acct|new-?account|sign-me-up/, 'newAccount'],
    [/new-?order|order-plz/, 'newOrder'], [/revoke/, 'revokeCert'], [/finali[sz]e/, 'finalize'],
    [/authz|authorization/, 'authorization'], [/chall/, 'challenge'], [/cert/, 'certificate'], [/order/, 'order'], [/acct|account|my-account/, 'account'],
  ];
  return known.find(([re]) => re.test(p))?.[1] ?? `${method.toLowerCase()}-other`;
}
