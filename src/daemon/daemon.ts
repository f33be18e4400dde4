import { isLoopbackListen } from '../http/loopback.js';
import { readFile } from 'node:fs/promises';
import { ConfigWatcher, digestOf, type ConfigChange } from '../config/config-watcher.js';
import { IncrementalConfigParser } from '../config/incremental-config.js';
import { ConfigError, formatProblem } from '../config/load-config.js';
import { certificateName, type Config } from '../config/schema.js';
import { collectSecrets } from '../config/secret.js';
import { isProduction, securityFindings, storedKeyFindings, type Finding } from './security-findings.js';
import { errorMessage } from '../errors.js';
import type { CertificateSpec, Renewer } from '../issue/renewer.js';
import { sweepStore } from '../issue/sweep-store.js';
import type { Logger, Redactor } from '../log.js';
import { Scheduler, type Clock } from '../scheduler/scheduler.js';
import { DashboardAuth } from '../server/dashboard-auth.js';
import { EventRing } from '../server/dashboard-events.js';
import { dashboardHandler } from '../server/dashboard-routes.js';
import { startApiServer, type ApiServer } from '../server/api-server.js';
import { startHttpServer } from '../server/http-server.js';
import { DaemonMetrics } from '../server/metrics.js';
import type { CertificateStore } from '../store/certificate-store.js';
import { composeRenewer, type Composed, type FleetHooks } from './compose.js';
import { HEARTBEAT_MS, heartbeatLoop } from './fleet-heartbeat.js';
import { compactHeap } from './heap-compaction.js';
import { fitCompilerTiers } from './compiler-tiers.js';
import { dashboardSource, outcomeEvents } from './dashboard-source.js';
import { ManagedCertificates } from './managed-certificates.js';
import type { ManagedCertificateStore } from '../store/managed-certificates.js';
import { stableDigest } from './stable-digest.js';

export interface DaemonOptions {
  configFile: string;
  log: Logger;
  /** Secrets of every config loaded are added to it, so they never reach a log line. */
  redactor: Redactor;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** The user id the security check sees (default: this process's). */
  uid?: number;
  /** The config parser (default: a new one); reloads reuse the entries it parsed. */
  parser?: IncrementalConfigParser;
  /**
   * One full collection after the start and after edits (heap-compaction.ts), and V8's compiler
   * tiers fitted to the config's size (compiler-tiers.ts): for a daemon that is its process
   * (`certfleet run`), not one embedded in another program, whose heap and flags it is not.
   */
  compactHeap?: boolean;
  /** configFile's text and what `parser` made of it, when the caller read it already: not read or parsed again. */
  initial?: { text: string; config: Config };
}

/** Production mode refused the first config: nothing was started. */
export class StartRefused extends Error {
  constructor(readonly findings: Finding[]) {
    super(`refused in production mode: ${findings.map((f) => f.problem).join('; ')}`);
    this.name = 'StartRefused';
  }
}

/** Quiet time after the last reload before the heap is compacted. */
const COMPACT_AFTER_RELOAD_MS = 10_000;

/** Certificates planned between two turns of the event loop at start (about 10 ms of work). */
const PLAN_YIELD_ROWS = 1_000;

/** Removal reason for certificates dropped from the config when `revoke_removed` is on. */
const CESSATION_OF_OPERATION = 5;

/** A Renewer with the jobs using it, so a replaced one is closed only when they are done. */
interface RenewerSlot {
  renewer: Renewer; active: number; retired: boolean; infraDigest: string;
  /** The store's connections (PostgreSQL): opened at start, ended when the slot is done with them. */
  ready: Composed['ready']; close: Composed['close'];
  fleet?: FleetParts | undefined;
  /** Where the API's certificates are kept: the PostgreSQL store's own, or beside the directory store's files. */
  managed: ManagedCertificateStore;
}
/** A certificate's spec and the CA it was taken for (the CA is part of it: a switch re-issues). */
interface SpecEntry { spec: CertificateSpec; directory: string }
/** Fleet mode: the shared store and the delivery of its saves to this host. */
interface FleetParts { store: NonNullable<Composed['fleet']>; delivery: NonNullable<Composed['delivery']> }

/**
 * `certfleet run`: the config, the scheduler, the HTTP server and the config watcher, wired.
 * Every certificate is a scheduler job that decides, maybe renews, and schedules its next look.
 */
export class Daemon {
  private config!: Config;
  private store!: CertificateStore;
  private slot!: RenewerSlot;
  /** Each certificate's spec with the CA it was taken for; an entry is replaced only when its spec changed. */
  private specs = new Map<string, SpecEntry>();
  /** Parses each edit at the cost of the entries that changed (an unchanged entry is the same object). */
  private readonly parser: IncrementalConfigParser;
  /** Per spec object: its digest, computed only when an edit gives a name a new spec object. */
  private readonly specDigests = new WeakMap<CertificateSpec, string>();
  private readonly secretsCollected = new WeakSet<CertificateSpec>();
  private readonly metrics = new DaemonMetrics(() => this.now());
  /** The dashboard's recent events: fed by runJob (outcomes, deploy results) and reloads. */
  private readonly events = new EventRing();
  private scheduler!: Scheduler;
  private watcher: ConfigWatcher | undefined;
  private http: Awaited<ReturnType<typeof startHttpServer>> | undefined;
  /** The certificates added through the API (server.api), merged with the file's in apply(). */
  private managed!: ManagedCertificates;
  private api: ApiServer | undefined;
  private readonly log: Logger;
  private stopping: Promise<void> | undefined;
  /** Reloads run one after another, so an older edit never lands after a newer one. */
  private reloading: Promise<void> = Promise.resolve();
  /** Once running in production mode, a reload cannot leave it (that takes a restart). */
  private production = false;
  /** Aborted by stop(): the start-time sweep. */
  private readonly lifetime = new AbortController();
  private sweeping: Promise<void> = Promise.resolve();
  private compactTimer: NodeJS.Timeout | undefined;
  /** Fleet mode: the delivery and heartbeat started with the first store (see startFleet). */
  /** Ends the fleet's store when the slot it came from was retired (a reload rebuilt the pipeline). */
  private fleetSlotClose: (() => Promise<void>) | undefined;
  private fleet: { parts: FleetParts; heartbeat: Promise<void>; delivered?: (result: 'delivered' | 'failed') => void } | undefined;

  private constructor(private readonly opts: DaemonOptions) {
    this.log = opts.log.child({ component: 'daemon' });
    this.parser = opts.parser ?? new IncrementalConfigParser();
  }

  /** The scheduler, at the first config's concurrency (apply() keeps it current). */
  private startScheduler(config: Config): void {
    this.scheduler = new Scheduler({
      concurrency: config.scheduler.concurrency,
      run: (name, signal) => this.runJob(name, signal),
      onError: (name, err) => this.log.error({ cert: name, error: errorMessage(err) }, 'job_failed'),
      onWake: () => this.metrics.wakeups.inc(),
      ...(this.opts.clock ? { clock: this.opts.clock } : {}),
    });
  }

  /**
   * Loads the config (a ConfigError here is the CLI's exit 2), checks it as every reload is
   * checked (StartRefused), listens, schedules, watches. `signal` (SIGTERM during start) stops
   * whatever was started so far and rejects with its reason.
   */
  static async start(opts: DaemonOptions, signal: AbortSignal = new AbortController().signal): Promise<Daemon> {
    const d = new Daemon(opts);
    const began = performance.now();
    try {
      const text = opts.initial?.text ?? await readFile(opts.configFile, { encoding: 'utf8', signal }).catch((err: unknown) => {
        if (signal.aborted) throw signal.reason;
        throw new ConfigError([{ file: opts.configFile, line: 0, column: 0, path: '', message: `cannot read config: ${errorMessage(err)}` }]);
      });
      const config = opts.initial ? d.remember(opts.initial.config) : d.parse(text);
      if (opts.compactHeap) fitCompilerTiers(config.certificates.length);
      const verdict = await d.check(config);
      if (verdict.refused.length > 0) throw new StartRefused(verdict.refused);
      signal.throwIfAborted();
      d.production = verdict.production;
      d.startScheduler(config);
      d.managed = new ManagedCertificates({ store: () => d.slot.managed, status: () => d.store, config: () => d.config, changed: (name) => d.respec(name), log: opts.log, now: () => d.now() });
      // Nothing scheduled yet: planFromStore schedules every certificate.
      d.apply(config, { schedule: false });
      // PostgreSQL: connect and migrate now, so an unreachable database is one error at start (exit 2).
      await d.slot.ready(signal);
      // The API's certificates, read from the store just opened; planned with the file's before the scheduler starts.
      await d.managed.load(signal);
      for (const name of d.managed.names()) d.respec(name, { schedule: false });
      await d.slot.renewer.prepare(signal);
      // Listening and scheduling before the plan: /readyz, the webhook and the API do not wait for
      // 100,000 certificates to be planned, and a certificate due now starts as soon as it is planned.
      d.http = await startHttpServer(config.server.listen, {
        readiness: async () => ({
          config: d.specs !== undefined, store: await d.store.writable(AbortSignal.timeout(5_000)), scheduler: d.scheduler.running,
          ...(d.fleet ? { database: d.fleet.parts.delivery.connected } : {}),
        }),
        details: () => d.managed.details(),
        metrics: async () => ({ contentType: d.metrics.registry.contentType, body: await d.metrics.registry.metrics() }),
      }, opts.log.child({ component: 'http' }), d.dashboard());
      if (config.server.api) {
        d.api = await startApiServer({ listen: config.server.api.listen, token: () => d.config.server.api?.token.reveal() ?? '', backend: d.managed, log: opts.log.child({ component: 'api' }) });
      }
      signal.throwIfAborted();
      d.scheduler.start();
      const leftovers = await d.planFromStore(signal);
      await d.startFleet();
      // Beside the jobs, not before them: each job also cleans its own certificate's leftovers.
      d.sweeping = sweepStore(d.store, d.slot.renewer, d.log, d.lifetime.signal, leftovers)
        .catch((err: unknown) => d.log.debug({ error: errorMessage(err) }, 'sweep_interrupted'))
        // The start's garbage, once its work is done (heap-compaction.ts).
        .then(() => {
          d.compact('start');
          if (!d.stopping) d.log.info({ ms: Math.round(performance.now() - began) }, 'settled');
        });
      d.watcher = new ConfigWatcher(opts.configFile, { initialDigest: digestOf(text), onChange: (c) => d.onConfigChange(c) });
      const how = await d.watcher.start();
      signal.throwIfAborted();
      d.log.info({ certificates: d.specs.size, config: opts.configFile, watch: how }, 'started');
      // Outside production mode the stored keys' modes are a warning only: looked at once started.
      if (!d.production) setImmediate(() => d.warnStoredKeys(config.store.path));
      return d;
    } catch (err) {
      // Whatever was started is stopped again: no listener, timer or watcher outlives a failed start.
      if (signal.aborted || d.slot) await d.stop(signal.aborted ? errorMessage(signal.reason) : 'start failed');
      throw err;
    }
  }

  get address(): string | undefined {
    return this.http?.address;
  }

  /** The management API's URL (server.api), when it listens. */
  get apiAddress(): string | undefined {
    return this.api?.address;
  }

  /** SIGHUP: read the config again even if it looks unchanged; resolves once it is applied or refused. */
  async reload(): Promise<void> {
    await this.watcher?.reload();
    await this.reloading;
  }

  /**
   * SIGTERM/SIGINT: abort in-flight issuances (their TXT cleanup still runs), close everything.
   * Safe on a daemon that is only partly started (Daemon.start calls it then).
   */
  stop(reason = 'shutdown'): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info({ reason, active: (this.scheduler as Scheduler | undefined)?.activeCount ?? 0 }, 'stopping');
      this.watcher?.stop();
      clearTimeout(this.compactTimer);
      this.lifetime.abort(new Error(reason));
      await this.sweeping;
      await this.reloading;
      await (this.scheduler as Scheduler | undefined)?.stop(new Error(reason));
      await this.api?.close();
      await this.fleet?.heartbeat;
      await this.fleet?.parts.delivery.settled();
      await this.http?.close();
      await (this.slot as RenewerSlot | undefined)?.renewer.close();
      await (this.slot as RenewerSlot | undefined)?.close();
      if (this.fleet && this.fleet.parts !== (this.slot as RenewerSlot | undefined)?.fleet) await this.fleetSlotClose?.();
      this.log.info('stopped');
    })();
    return this.stopping;
  }

  /**
   * Fleet mode, after the scheduler started: every host's saves are delivered here (the first
   * catch-up included) and this host beats once a minute. The store of the first config stays the
   * fleet's: changing `store` takes a restart.
   */
  private async startFleet(): Promise<void> {
    const parts = this.slot.fleet;
    if (!parts) return;
    this.fleetSlotClose = this.slot.close;
    const { delivery, store } = parts;
    const metrics = this.metrics.fleet(store.host, { connected: () => delivery.connected, behind: () => delivery.behind });
    this.fleet = { parts, heartbeat: Promise.resolve(), delivered: (r) => metrics.delivery(r) };
    await delivery.start(this.lifetime.signal);
    this.fleet.heartbeat = heartbeatLoop(store, HEARTBEAT_MS, this.log, this.lifetime.signal);
  }

  /** What a fleet delivery asks of the daemon: the current specs, a new look after another host's save, metrics. */
  private fleetHooks(): FleetHooks {
    return {
      spec: (name) => this.specs.get(name)?.spec,
      // The new version decides this host's next look (it was skipped while the other host held it).
      onSaved: ({ name }) => { if (this.specs.has(name)) this.scheduler.schedule(name, this.now()); },
      onDelivery: (result) => this.fleet?.delivered?.(result),
      // Another host added or removed a certificate through its API: read that one again.
      onManagedChanged: (name) => { void this.managed.reread(name, this.lifetime.signal).catch((err: unknown) => this.log.warn({ cert: name, error: errorMessage(err) }, 'managed_reread_failed')); },
    };
  }

  /** The dashboard on server.listen, over the current config (its token too: a reload changes it). */
  private dashboard() {
    const source = dashboardSource({ current: () => ({ config: this.config, store: this.store }), events: this.events, now: () => this.now(), log: this.log.child({ component: 'dashboard' }) });
    return dashboardHandler(source, new DashboardAuth(() => this.config.server.token?.reveal(), Date.now, () => isLoopbackListen(this.config.server.listen)));
  }

  private parse(text: string): Config {
    return this.remember(this.parser.parse(text, this.opts.configFile, this.opts.env ? { env: this.opts.env } : {}));
  }

  /** A parsed config's secrets, for the redactor. */
  private remember(config: Config): Config {
    // The certificates' secrets only for entries not seen before: a reload walks what changed.
    const secrets = collectSecrets({ ...config, certificates: [] });
    for (const spec of config.certificates) {
      if (this.secretsCollected.has(spec)) continue;
      collectSecrets(spec, secrets);
      this.secretsCollected.add(spec);
    }
    this.opts.redactor.add(secrets);
    return config;
  }

  /**
   * Whether `spec` for `directory` is what `before` already was. The parser hands an unchanged
   * entry back as the same object, so the digests (canonical JSON: about 1 s for 100,000 specs)
   * are computed only for the names an edit gave a new object, never at start.
   */
  private sameSpec(before: SpecEntry, spec: CertificateSpec, directory: string): boolean {
    if (before.directory !== directory) return false;
    return before.spec === spec || this.specDigest(before.spec) === this.specDigest(spec);
  }

  private specDigest(spec: CertificateSpec): string {
    let digest = this.specDigests.get(spec);
    if (digest === undefined) this.specDigests.set(spec, digest = stableDigest(spec));
    return digest;
  }

  /**
   * The security findings of a config, warnings logged. In production mode (or once the daemon
   * runs in it: leaving it takes a restart) the errors come back as refused.
   */
  private async check(config: Config): Promise<{ production: boolean; refused: Finding[] }> {
    const env = this.opts.env ?? process.env;
    // The stored keys' modes are checked at start and when the store changes, not at every edit;
    // outside production mode, where they are only warnings, after the start (warnStoredKeys).
    const storedKeys = (this.config as Config | undefined)?.store.path !== config.store.path && (this.config !== undefined || this.production || isProduction(config, env));
    const findings = await securityFindings(config, { env, storedKeys, ...(this.opts.uid === undefined ? {} : { uid: this.opts.uid }) });
    const production = this.production || isProduction(config, env);
    if (this.production && !isProduction(config, env)) {
      findings.unshift({ problem: 'the new config leaves production mode', fix: 'keep mode: production (or CERTFLEET_ENV=production); leaving production mode takes a restart', severity: 'error' });
    }
    const refused = production ? findings.filter((f) => f.severity === 'error') : [];
    for (const f of findings) if (!refused.includes(f)) this.log.warn({ problem: f.problem, fix: f.fix, production }, 'security_finding');
    return { production, refused };
  }

  /** A full collection when the heap is big (heap-compaction.ts), logged with what it freed. */
  private compact(after: string): void {
    if (this.stopping || !this.opts.compactHeap) return;
    const started = performance.now();
    const heap = compactHeap();
    if (heap) this.log.info({ after, heap_before_mb: Math.round(heap.before / 2 ** 20), heap_after_mb: Math.round(heap.after / 2 ** 20), ms: Math.round(performance.now() - started) }, 'heap_compacted');
  }

  /** After edits: one collection once they stop for a while, not one per edit (its pause would delay the edit's issuance). */
  private compactSoon(): void {
    if (!this.opts.compactHeap) return;
    clearTimeout(this.compactTimer);
    this.compactTimer = setTimeout(() => this.compact('reload'), COMPACT_AFTER_RELOAD_MS);
    this.compactTimer.unref();
  }

  private warnStoredKeys(storePath: string): void {
    if (this.stopping) return;
    for (const f of storedKeyFindings(storePath)) this.log.warn({ problem: f.problem, fix: f.fix, production: false }, 'security_finding');
  }

  private onConfigChange(change: ConfigChange): void {
    this.reloading = this.reloading.then(() => this.reloadWith(change));
  }

  private async reloadWith(change: ConfigChange): Promise<void> {
    if (this.stopping) return;
    if ('error' in change) {
      this.metrics.reloads.inc({ result: 'failure' });
      this.log.error({ error: change.error }, 'config_unreadable_keeping_last_good');
      return;
    }
    try {
      const started = performance.now();
      const config = this.parse(change.text);
      if (this.opts.compactHeap) fitCompilerTiers(config.certificates.length);
      const { refused } = await this.check(config);
      if (this.stopping) return;
      if (refused.length > 0) {
        // Counted like an invalid edit; nothing of the new config was applied.
        this.metrics.reloads.inc({ result: 'failure' });
        this.log.error({ findings: refused.map((f) => ({ problem: f.problem, fix: f.fix })) }, 'config_insecure_keeping_last_good');
        return;
      }
      const summary = this.apply(config);
      this.metrics.reloads.inc({ result: 'success' });
      this.events.add({ at: this.now(), kind: 'reloaded', detail: `config: ${summary.added.length} added, ${summary.changed.length} changed, ${summary.removed.length} removed` });
      this.log.info({ ...summary, ms: Math.round(performance.now() - started) }, 'config_reloaded');
      this.compactSoon();
    } catch (err) {
      this.metrics.reloads.inc({ result: 'failure' });
      if (err instanceof ConfigError) this.log.error({ problems: err.problems.map(formatProblem) }, 'config_invalid_keeping_last_good');
      else this.log.error({ error: errorMessage(err) }, 'config_reload_failed');
    }
  }

  /**
   * Makes `config` current: only certificates that are new or whose spec changed are looked at
   * now. What can fail (reading the store key) comes first: a failure changes nothing.
   */
  private apply(config: Config, opts: { schedule: boolean } = { schedule: true }): { added: string[]; changed: string[]; removed: string[] } {
    const previous = this.config as Config | undefined;
    // What the pipeline is built from; a change rebuilds it (a new ACME client, store, providers).
    const infraDigest = stableDigest({ acme: config.acme, dns: config.dns, store: config.store, notify: config.notify, containers: config.containers, cleanup: config.scheduler.txt_cleanup_timeout });
    const old = this.slot as RenewerSlot | undefined;
    const composed = !old || old.infraDigest !== infraDigest
      ? composeRenewer(config, { log: this.opts.log.child({ component: 'renewer' }), env: this.opts.env, hooks: this.metrics.hooks(config.acme.directory), clock: this.opts.clock, fleet: this.fleetHooks(),
        onManagedCorrupt: (file, problem) => this.log.error({ file, problem }, 'managed_certificate_corrupt') })
      : undefined;
    if (previous && previous.server.listen !== config.server.listen) {
      this.log.warn({ key: 'server.listen', listen: previous.server.listen, wanted: config.server.listen }, 'change_needs_restart');
    }
    if (previous && previous.server.api?.listen !== config.server.api?.listen) {
      this.log.warn({ key: 'server.api.listen', listen: previous.server.api?.listen ?? null, wanted: config.server.api?.listen ?? null }, 'change_needs_restart');
    }
    this.config = config;
    if (composed) {
      this.store = composed.store;
      this.slot = {
        infraDigest, active: 0, retired: false, renewer: composed.renewer, ready: composed.ready, close: composed.close,
        fleet: composed.fleet && composed.delivery ? { store: composed.fleet, delivery: composed.delivery } : undefined,
        managed: composed.managed,
      };
      if (old) this.retire(old);
    }

    // In place: an edit of one entry in 100,000 must not build a new map of them all.
    const specs = this.specs;
    const added: string[] = [];
    const changed: string[] = [];
    // The CA is part of each certificate's spec: a switch from staging to production re-issues.
    const directory = config.acme.directory;
    const wanted = this.managed.merged(config);
    for (const spec of wanted) {
      const name = certificateName(spec);
      const before = specs.get(name);
      if (!before) added.push(name);
      // An unchanged spec keeps its entry: a job running on it still counts as current (runJob).
      else if (this.sameSpec(before, spec, directory)) continue;
      else changed.push(name);
      specs.set(name, { spec, directory });
    }
    // Names are unique in `wanted` (the config's checks, the file's names win over the API's), so
    // the map holds more than `wanted` only when some name was removed.
    const removed: string[] = [];
    if (specs.size > wanted.length) {
      const names = new Set(wanted.map(certificateName));
      for (const name of specs.keys()) if (!names.has(name)) removed.push(name);
      for (const name of removed) specs.delete(name);
    }
    this.scheduler.setConcurrency(config.scheduler.concurrency);
    const now = this.now();
    if (opts.schedule) for (const name of [...added, ...changed]) this.scheduler.schedule(name, now);
    for (const name of removed) {
      this.scheduler.unschedule(name);
      this.metrics.forget(name);
      if (config.scheduler.revoke_removed) void this.revokeRemoved(name);
    }
    this.metrics.managed.set(specs.size);
    return { added, changed, removed };
  }

  /** One name changed outside the config file (the API, another fleet host): only it is rescheduled. */
  private respec(name: string, opts: { schedule: boolean } = { schedule: true }): void {
    const spec = this.managed.specOf(name, this.config);
    const before = this.specs.get(name);
    const directory = this.config.acme.directory;
    if (spec && (!before || !this.sameSpec(before, spec, directory))) {
      this.specs.set(name, { spec, directory });
      if (opts.schedule) this.scheduler.schedule(name, this.now());
    } else if (!spec && this.specs.delete(name)) {
      this.scheduler.unschedule(name);
      this.metrics.forget(name);
    }
    this.metrics.managed.set(this.specs.size);
  }

  /**
   * The first look at every certificate, before the scheduler starts, from one bulk read of the
   * store: a certificate that needs nothing now is scheduled at its next look without a job
   * (Renewer.plan); the others (due, never stored, or a read that failed) run at once. Returns
   * the stored certificates not configured whose state notes TXT leftovers: the sweep cleans
   * those, a configured one's job does.
   */
  private async planFromStore(signal: AbortSignal): Promise<string[]> {
    const started = performance.now();
    const now = this.now();
    const unplanned = new Set(this.specs.keys());
    const leftovers: string[] = [];
    try {
      let read = 0;
      for await (const page of this.store.schedules(signal)) {
        for (const row of page) {
          // A turn of the event loop now and then: the listeners answer while a big store is planned.
          if (++read % PLAN_YIELD_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
          const entry = this.specs.get(row.name);
          if (!entry) {
            if (row.state.state.pendingTxt?.length) leftovers.push(row.name);
            continue;
          }
          const next = this.slot.renewer.plan(entry.spec, row);
          if (next === undefined) continue;
          this.scheduler.schedule(row.name, next);
          unplanned.delete(row.name);
        }
      }
    } catch (err) {
      if (signal.aborted) throw err;
      // Every certificate not planned yet gets a job, which reads its own.
      this.log.warn({ error: errorMessage(err) }, 'store_bulk_read_failed');
    }
    for (const name of unplanned) this.scheduler.schedule(name, now);
    this.log.info({ planned: this.specs.size - unplanned.size, jobs: unplanned.size, ms: Math.round(performance.now() - started) }, 'planned');
    return leftovers;
  }

  private async runJob(name: string, signal: AbortSignal): Promise<void> {
    const entry = this.specs.get(name);
    if (!entry) return;
    const slot = this.slot;
    slot.active++;
    try {
      const outcome = await slot.renewer.process(entry.spec, {}, signal);
      for (const e of outcomeEvents(outcome, this.now())) this.events.add(e);
      // A spec edited while this ran was scheduled anew by apply(); do not overwrite that.
      if (outcome.next !== undefined && this.specs.get(name) === entry && this.scheduler.nextRun(name) === undefined) {
        this.scheduler.schedule(name, outcome.next);
      }
    } finally {
      if (--slot.active === 0 && slot.retired) void this.closeSlot(slot);
    }
  }

  private retire(slot: RenewerSlot): void {
    slot.retired = true;
    if (slot.active === 0) void this.closeSlot(slot);
  }

  /** A retired slot's pipeline, then its store (unless the fleet delivery still uses it: stop() ends that). */
  private async closeSlot(slot: RenewerSlot): Promise<void> {
    await slot.renewer.close();
    if (!slot.fleet || slot.fleet !== this.fleet?.parts) await slot.close().catch((err: unknown) => this.log.warn({ error: errorMessage(err) }, 'store_close_failed'));
  }

  private async revokeRemoved(name: string): Promise<void> {
    try {
      const revoked = await this.slot.renewer.revoke(name, CESSATION_OF_OPERATION, AbortSignal.timeout(60_000));
      this.log.info({ cert: name, ...(revoked ? { serial: revoked.serial } : {}) }, 'revoked_removed');
    } catch (err) {
      this.log.error({ cert: name, error: errorMessage(err) }, 'revoke_removed_failed');
    }
  }

  private now(): number {
    return this.opts.clock?.now() ?? Date.now();
  }
}
