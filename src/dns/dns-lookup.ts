import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

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

const NO_ANSWER = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/** node:dns (c-ares) with explicit servers; a query is cancelled when its signal aborts. */
export class NodeDnsLookup implements DnsLookup {
  constructor(private readonly servers: string[] | undefined, private readonly timeoutMs = 2000) {}

  private resolver(servers?: string[]): Resolver {
    const r = new Resolver({ timeout: this.timeoutMs, tries: 2 });
    const list = servers ?? this.servers;
    if (list?.length) r.setServers(list);
    return r;
  }

  private async ask<T>(servers: string[] | undefined, signal: AbortSignal, q: (r: Resolver) => Promise<T>, empty: T): Promise<T> {
    signal.throwIfAborted();
    const r = this.resolver(servers);
    const onAbort = () => r.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await q(r);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (NO_ANSWER.has((err as { code?: string }).code ?? '')) return empty;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async soa(name: string, signal: AbortSignal): Promise<boolean> {
    try {
      return await this.ask(undefined, signal, async (r) => { await r.resolveSoa(name); return true; }, false);
    } catch (err) {
      // An authoritative-only server refuses names outside its zones: no zone here, keep walking.
      if ((err as { code?: string }).code === 'EREFUSED') return false;
      throw err;
    }
  }

  ns(zone: string, signal: AbortSignal): Promise<string[]> {
    return this.ask(undefined, signal, (r) => r.resolveNs(zone), []);
  }

  async addresses(host: string, signal: AbortSignal): Promise<string[]> {
    if (isIP(host)) return [host];
    const [v4, v6] = await Promise.all([
      this.ask(undefined, signal, (r) => r.resolve4(host), []),
      this.ask(undefined, signal, (r) => r.resolve6(host), []),
    ]);
    return [...v4, ...v6];
  }

  async cname(name: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      return (await this.ask(undefined, signal, (r) => r.resolveCname(name), []))[0];
    } catch (err) {
      // An authoritative-only server refuses names outside its zones: no CNAME known there.
      if ((err as { code?: string }).code === 'EREFUSED') return undefined;
      throw err;
    }
  }

  async txtAt(server: string, name: string, signal: AbortSignal): Promise<string[]> {
    return (await this.ask([server], signal, (r) => r.resolveTxt(name), [])).map((chunks) => chunks.join(''));
  }
}
