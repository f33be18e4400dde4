import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

const ATTEMPT_RESULTS = ['issued', 'renewed', 'failed'] as const;

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
  readonly registry = new Registry();
  readonly notAfter = new Gauge({ name: 'certfleet_certificate_not_after_seconds', help: 'Expiry of the current certificate (Unix seconds)', labelNames: ['name'] as const, registers: [this.registry] });
  readonly nextRenewal = new Gauge({ name: 'certfleet_certificate_next_renewal_seconds', help: 'When the certificate is next looked at: renewal, retry or ARI check (Unix seconds)', labelNames: ['name'] as const, registers: [this.registry] });
  readonly issuances = new Counter({ name: 'certfleet_issuance_attempts_total', help: 'Issuance attempts by result', labelNames: ['result'] as const, registers: [this.registry] });
  // Per certificate beside the fleet-wide counter above (kept as it was, so existing queries hold).
  readonly failures = new Counter({ name: 'certfleet_issuance_failures_total', help: 'Failed issuance attempts by certificate', labelNames: ['name'] as const, registers: [this.registry] });
  readonly lastAttempt = new Gauge({ name: 'certfleet_certificate_last_attempt', help: 'When the last issuance attempt with this result ended (Unix seconds)', labelNames: ['name', 'result'] as const, registers: [this.registry] });
  // certfleet_certificate_not_after_seconds has no series until there is a certificate: this one does.
  readonly issued = new Gauge({ name: 'certfleet_certificate_issued', help: '1 when a certificate is stored for this name, 0 when it was never issued', labelNames: ['name'] as const, registers: [this.registry] });
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
    if (o.result !== 'skipped') {
      this.issuances.inc({ result: o.result });
      this.lastAttempt.set({ name: o.name, result: o.result }, Math.round(this.now() / 1000));
    }
    // Created at 0 with the certificate's first outcome: a rate or an increase over it then works from the start.
    this.failures.inc({ name: o.name }, o.result === 'failed' ? 1 : 0);
    this.issued.set({ name: o.name }, meta ? 1 : 0);
    if (meta) this.notAfter.set({ name: o.name }, Date.parse(meta.notAfter) / 1000);
    if (o.next !== undefined) this.nextRenewal.set({ name: o.name }, Math.round(o.next / 1000));
  }

  /** A certificate removed from the config leaves no series behind. */
  forget(name: string): void {
    this.notAfter.remove({ name });
    this.nextRenewal.remove({ name });
    this.failures.remove({ name });
    this.issued.remove({ name });
    for (const result of ATTEMPT_RESULTS) this.lastAttempt.remove({ name, result });
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
