import type { Resolver } from 'node:dns/promises';
import { CertfleetError } from '../errors.js';

// node:dns and node:net at the first question, not at start: a `certfleet issue` with nothing due asks none.
const dns = () => process.getBuiltinModule('node:dns/promises');

/** The DNS questions certfleet asks; an interface so tests can script answers. */
export interface DnsLookup {
  /** True when `name` has an SOA record, i.e. is a zone apex. */
  soa(name: string, signal: AbortSignal): Promise<boolean>;
  ns(zone: string, signal: AbortSignal): Promise<string[]>;
  addresses(host: string, signal: AbortSignal): Promise<string[]>;
  cname(name: string, signal: AbortSignal): Promise<string | undefined>;
  /** TXT values at `name` asked of one server (host:port), chunks joined. */
  txtAt(server: string, name: string, signal: AbortSignal): Promise<string[]>;
}

/** Idle resolvers kept per server list: about the questions one certificate asks at once. */
const IDLE_RESOLVERS = 8;

/** How long an SOA "yes" is kept; a zone rarely stops being one, and a provider call would say so anyway. */
const APEX_CACHE_MS = 5 * 60_000;
const APEX_CACHE_MAX = 10_000;

const NO_ANSWER = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/** c-ares codes in words, for a message an operator can act on. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEOUT: 'no answer in time',
  EREFUSED: 'query refused',
  ESERVFAIL: 'server failure (SERVFAIL)',
  EBADRESP: 'malformed answer',
  ECONNRESET: 'connection reset',
  ECANCELLED: 'query cancelled',
};

/** node:dns (c-ares) with explicit servers; a query is cancelled when its signal aborts. */
export class NodeDnsLookup implements DnsLookup {
  /**
   * Idle resolvers by server list, reused: a new Resolver (a c-ares channel) per question was
   * about 1 % of the issuance CPU, measured. A resolver is lent to one question at a time, since
   * cancel() cancels every question of its channel; one whose question was cancelled is dropped.
   */
  private readonly idle = new Map<string, Resolver[]>();
  /**
   * Names known to be a zone apex (they had an SOA), until when: every certificate in a zone ends
   * its walk at the same apex, so that question is asked once per few minutes, not per name. Only
   * "yes" is kept: the names below (`_acme-challenge.<host>`) differ per certificate, and a
   * delegation made since must still be found.
   */
  private readonly apexes = new Map<string, number>();

  constructor(private readonly servers: string[] | undefined, private readonly timeoutMs = 2000) {}

  private resolver(key: string, list: string[] | undefined): Resolver {
    const r = this.idle.get(key)?.pop();
    if (r) return r;
    const created = new (dns().Resolver)({ timeout: this.timeoutMs, tries: 2 });
    if (list?.length) created.setServers(list);
    return created;
  }

  private giveBack(key: string, r: Resolver): void {
    const free = this.idle.get(key) ?? [];
    if (free.length < IDLE_RESOLVERS) free.push(r);
    this.idle.set(key, free);
  }

  /**
   * One question; "no such name/data" is `empty`, `refused` (when given) answers EREFUSED, and
   * any other failure is a DNS_LOOKUP error naming the question, the servers and the reason.
   */
  private async ask<T>(what: { type: string; name: string; refused?: T }, servers: string[] | undefined, signal: AbortSignal, q: (r: Resolver) => Promise<T>, empty: T): Promise<T> {
    signal.throwIfAborted();
    const list = servers ?? this.servers;
    const key = list?.join(',') ?? '';
    const r = this.resolver(key, list);
    let cancelled = false;
    const onAbort = () => { cancelled = true; r.cancel(); };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await q(r);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const code = (err as { code?: string }).code ?? '';
      if (NO_ANSWER.has(code)) return empty;
      if (code === 'EREFUSED' && what.refused !== undefined) return what.refused;
      const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
      throw new CertfleetError('DNS_LOOKUP', `DNS lookup of ${what.type} ${what.name} at ${r.getServers().join(', ') || 'the system resolver'} failed: ${reason}${code && REASONS[code] ? ` (${code})` : ''}`, { retryable: true, cause: err });
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!cancelled) this.giveBack(key, r);
    }
  }

  async soa(name: string, signal: AbortSignal): Promise<boolean> {
    const key = name.toLowerCase();
    const until = this.apexes.get(key);
    if (until !== undefined && until > Date.now()) return true;
    // An authoritative-only server refuses names outside its zones: no zone here, keep walking.
    const apex = await this.ask({ type: 'SOA', name, refused: false }, undefined, signal, async (r) => { await r.resolveSoa(name); return true; }, false);
    if (apex) {
      if (this.apexes.size >= APEX_CACHE_MAX) this.apexes.clear();
      this.apexes.set(key, Date.now() + APEX_CACHE_MS);
    } else {
      this.apexes.delete(key);
    }
    return apex;
  }

  ns(zone: string, signal: AbortSignal): Promise<string[]> {
    return this.ask({ type: 'NS', name: zone }, undefined, signal, (r) => r.resolveNs(zone), []);
  }

  async addresses(host: string, signal: AbortSignal): Promise<string[]> {
    if (process.getBuiltinModule('node:net').isIP(host)) return [host];
    const [v4, v6] = await Promise.all([
      this.ask({ type: 'A', name: host }, undefined, signal, (r) => r.resolve4(host), []),
      this.ask({ type: 'AAAA', name: host }, undefined, signal, (r) => r.resolve6(host), []),
    ]);
    return [...v4, ...v6];
  }

  async cname(name: string, signal: AbortSignal): Promise<string | undefined> {
    // An authoritative-only server refuses names outside its zones: no CNAME known there.
    return (await this.ask({ type: 'CNAME', name, refused: [] }, undefined, signal, (r) => r.resolveCname(name), []))[0];
  }

  async txtAt(server: string, name: string, signal: AbortSignal): Promise<string[]> {
    return (await this.ask({ type: 'TXT', name }, [server], signal, (r) => r.resolveTxt(name), [])).map((chunks) => chunks.join(''));
  }
}
