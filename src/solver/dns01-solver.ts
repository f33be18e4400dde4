import { timeoutSignal } from '../abort.js';
import { relativeName } from '../dns-name.js';
import type { DnsLookup } from '../dns/dns-lookup.js';
import { provablyNotWritten, retryDns } from '../dns/dns-retry.js';
import { authoritativeServers, waitForTxt } from '../dns/propagation.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { PendingTxt } from '../store/renewal-state.js';
import type { CertificateStore, Lease } from '../store/certificate-store.js';
import type { DnsMapping, DnsRoute, DnsRouter } from './dns-router.js';
import { PendingTxtLedger, recordOf, removeLeftoverTxt } from './pending-txt.js';
import type { StateUpdates } from './state-updates.js';
import { lockTxtNames } from './txt-name-locks.js';

/** One value to publish: at `_acme-challenge.<domain>`, before CNAMEs are followed. */
export interface TxtChallenge { fqdn: string; value: string }

/** Whose challenges these are and how its names are routed. */
export interface SolveRequest {
  certificate: string;
  dns: DnsMapping;
  /** Follow a CNAME at the challenge name and write where the chain ends. */
  followCnames: boolean;
  /** The certificate's lease: the ledger of what was written is its state, written under it. */
  lease: Lease;
  /**
   * Takes the cleanup of a presentation that failed part way (what was sent is removed, within the
   * cleanup budget); the caller holds the lease until it settles.
   */
  background: (cleanup: Promise<void>) => void;
}

interface Group { route: DnsRoute; zone: string; list: { target: string; value: string }[] }

/** What present() wrote, for wait() and cleanup(). */
export interface Presented {
  readonly certificate: string;
  readonly groups: readonly Group[];
  /** Per group: whether a write was sent that may have landed (then it must be deleted). */
  readonly sent: ReadonlyMap<Group, boolean>;
  readonly ledger: PendingTxtLedger;
  readonly unlock: () => Promise<void>;
}

export interface Dns01SolverOptions {
  store: Pick<CertificateStore, 'lockTxtName'>;
  updates: StateUpdates;
  router: DnsRouter;
  lookup: DnsLookup;
  log: Logger;
  /** Fresh budget for removing what was written, which runs even after an abort (scheduler.txt_cleanup_timeout). */
  cleanupTimeoutMs: number;
  /** How long a TXT write or a DNS lookup is retried (a DNS server restart takes seconds). */
  writeRetryMs: number;
  /** Reports how long DNS propagation took (metrics). */
  onPropagated?: ((ms: number) => void) | undefined;
}

/**
 * DNS-01 for every certificate of a config: publishes challenge values where their names route
 * (after CNAMEs), waits until every authoritative server answers them, and removes exactly what
 * it wrote. Each value is noted in the certificate's ledger, durably, before it is sent, and each
 * TXT name is held against every other writer from before the write until after its cleanup.
 */
export class Dns01Solver {
  constructor(private readonly o: Dns01SolverOptions) {}

  /** Publishes every value; on a failure, what may have landed is removed in the background and the error thrown. */
  async present(req: SolveRequest, challenges: TxtChallenge[], signal: AbortSignal): Promise<Presented> {
    const log = this.o.log.child({ cert: req.certificate });
    const groups = await this.groups(req, challenges, log, signal);
    const ledger = new PendingTxtLedger(this.o.updates, req.certificate, req.lease);
    // Every name this certificate writes is ours from before the write until after its cleanup:
    // another certificate (here or in another process) sharing it waits, and cannot lose our value
    // in a provider's read-merge-replace, nor we its.
    const unlock = await lockTxtNames(this.o.store, groups.flatMap((g) => g.list.map((p) => p.target)), signal);
    const sent = new Map<Group, boolean>();
    const presented: Presented = { certificate: req.certificate, groups, sent, ledger, unlock };
    try {
      await ledger.record(groups.flatMap(entriesOf), signal);
    } catch (err) {
      req.background(unlock());
      throw err;
    }
    const appends = await Promise.allSettled(groups.map(async (g) => {
      const records = g.list.map((p) => ({ name: relativeName(p.target, g.zone), type: 'TXT', data: p.value, ttl: g.route.ttl }));
      sent.set(g, false);
      await retryDns(async (s) => {
        try {
          const done = await g.route.provider.appendRecords(g.zone, records, s);
          sent.set(g, true);
          return done;
        } catch (err) {
          // A failure that proves nothing landed (refused connection, refused key) is not a write.
          if (!provablyNotWritten(err)) sent.set(g, true);
          throw err;
        }
      }, signal, { deadlineMs: this.o.writeRetryMs, onRetry: (err, attempt) => log.debug({ zone: g.zone, attempt, error: errorMessage(err) }, 'txt_write_retry') });
    }));
    // All writes settled before any cleanup: a delete must not overtake a write still in flight.
    const notWritten = appends.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (notWritten) {
      req.background(this.cleanup(presented));
      throw notWritten.reason;
    }
    return presented;
  }

  /** Waits until every authoritative server of every zone answers every value; returns the ms it took. */
  async wait(presented: Presented, signal: AbortSignal): Promise<number> {
    const started = performance.now();
    const log = this.o.log.child({ cert: presented.certificate });
    await Promise.all(presented.groups.map(async (g) => {
      const servers = g.route.propagation.nameservers ?? await authoritativeServers(this.o.lookup, g.zone, signal);
      const expected = new Map<string, string[]>();
      for (const p of g.list) expected.set(p.target, [...(expected.get(p.target) ?? []), p.value]);
      await waitForTxt(this.o.lookup, servers, expected, { ...g.route.propagation, log: log.child({ zone: g.zone }) }, signal);
    }));
    const ms = performance.now() - started;
    this.o.onPropagated?.(ms);
    log.info({ ms: Math.round(ms) }, 'propagated');
    return ms;
  }

  /**
   * Deletes what may have been written, retrying for the whole cleanup budget (a DNS server
   * restarting takes seconds), then forgets it in the ledger; what was provably never written is
   * only forgotten. What cannot be deleted stays in the ledger for the next look at the
   * certificate. Releases the TXT names. Never throws.
   */
  async cleanup(presented: Presented): Promise<void> {
    const log = this.o.log.child({ cert: presented.certificate });
    const deadline = timeoutSignal(this.o.cleanupTimeoutMs);
    const budget = deadline.signal;
    const done: PendingTxt[] = [];
    try {
      await Promise.all(presented.groups.map(async (g) => {
        const entries = entriesOf(g);
        if (!(presented.sent.get(g) ?? false)) {
          done.push(...entries);
          return;
        }
        try {
          await retryDns((s) => g.route.provider.deleteRecords(g.zone, entries.map(recordOf), s), budget, {
            onRetry: (err, attempt) => log.debug({ zone: g.zone, attempt, error: errorMessage(err) }, 'cleanup_retry'),
          });
          done.push(...entries);
        } catch (err) {
          log.error({ zone: g.zone, provider: g.route.provider.id, names: [...new Set(entries.map((e) => e.name))], error: errorMessage(err) }, 'cleanup_failed');
        }
      }));
      // Forgetting is a local write: the DNS budget, maybe spent, does not bound it.
      await presented.ledger.clear(done, new AbortController().signal).catch((err: unknown) => log.error({ error: errorMessage(err) }, 'state_write_failed'));
    } finally {
      deadline.clear();
      await presented.unlock();
    }
  }

  /**
   * Deletes the TXT values an interrupted run of `certificate` left (its state's `pendingTxt`),
   * within the cleanup budget; call it holding the certificate's `lease`. What cannot be deleted
   * now stays noted for the next look. Returns how many are left.
   */
  async removeLeftovers(certificate: string, lease: Lease, entries: PendingTxt[], signal: AbortSignal): Promise<number> {
    const deadline = timeoutSignal(this.o.cleanupTimeoutMs);
    const budget = AbortSignal.any([signal, deadline.signal]);
    try {
      const providers = new Map(await Promise.all([...new Set(entries.map((e) => e.provider))].map(async (id) => [id, await this.o.router.byId(id)] as const)));
      return await removeLeftoverTxt({
        store: this.o.store, ledger: new PendingTxtLedger(this.o.updates, certificate, lease), entries,
        provider: (id) => providers.get(id), log: this.o.log.child({ cert: certificate }), budget,
      });
    } finally {
      deadline.clear();
    }
  }

  /** Where each record goes: the end of the CNAME chain, its zone, and the provider routed there; one group per provider and zone. */
  private async groups(req: SolveRequest, challenges: TxtChallenge[], log: Logger, signal: AbortSignal): Promise<Group[]> {
    const groups = new Map<string, Group>();
    const zoneOf = new Map<string, Promise<string>>();
    const targetOf = new Map<string, Promise<string>>();
    // A resolver restarting refuses queries for a moment: lookups are retried like writes.
    const retrying = <T>(op: (s: AbortSignal) => Promise<T>) => retryDns(op, signal, {
      deadlineMs: this.o.writeRetryMs,
      onRetry: (err, attempt) => log.debug({ attempt, error: errorMessage(err) }, 'dns_lookup_retry'),
    });
    await Promise.all(challenges.map(async (c) => {
      if (!targetOf.has(c.fqdn)) targetOf.set(c.fqdn, req.followCnames ? retrying((s) => this.o.router.target(c.fqdn, true, s)) : Promise.resolve(c.fqdn));
      const target = await targetOf.get(c.fqdn)!;
      const route = await this.o.router.route(req.certificate, req.dns, target);
      if (!zoneOf.has(target)) zoneOf.set(target, retrying((s) => this.o.router.zone(target, s)));
      const zone = await zoneOf.get(target)!;
      const key = `${route.provider.id} ${zone}`;
      const g = groups.get(key) ?? { route, zone, list: [] };
      g.list.push({ target, value: c.value });
      groups.set(key, g);
    }));
    return [...groups.values()];
  }
}

function entriesOf(g: Group): PendingTxt[] {
  return g.list.map((p) => ({ provider: g.route.provider.id, zone: g.zone, name: p.target, value: p.value, ttl: g.route.ttl }));
}
