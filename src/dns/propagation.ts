import { sleep, timeoutSignal } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { PROGRESS_EVERY_MS, tickWhile } from '../progress-ticker.js';
import type { DnsLookup } from './dns-lookup.js';

export interface PropagationOptions {
  /** Ask these servers (host:port) instead of the zone's NS records. */
  nameservers?: string[];
  timeoutMs: number;
  /** First wait between rounds; doubles up to maxIntervalMs. */
  firstIntervalMs: number;
  maxIntervalMs: number;
  /** Gets `dns_propagation_waiting` at the start and every `progressEveryMs` (5 s) while the wait lasts. */
  log?: Pick<Logger, 'info'> | undefined;
  progressEveryMs?: number;
}

/** How often to ask; the timeout is the provider's `propagation.timeout` (its default is in the schema). */
export const DEFAULT_PROPAGATION: Omit<PropagationOptions, 'timeoutMs'> = { firstIntervalMs: 50, maxIntervalMs: 5_000 };

/** The options for a provider's resolved `propagation` config (timeout in ms, its default in the schema). */
export function propagationOptions(cfg: { timeout: number; nameservers?: string[] | undefined }): PropagationOptions {
  return { ...DEFAULT_PROPAGATION, timeoutMs: cfg.timeout, ...(cfg.nameservers ? { nameservers: cfg.nameservers } : {}) };
}

/** host:port for every address of every authoritative nameserver of the zone. */
export async function authoritativeServers(lookup: DnsLookup, zone: string, signal: AbortSignal): Promise<string[]> {
  const hosts = await lookup.ns(zone, signal);
  const addrs = (await Promise.all(hosts.map((h) => lookup.addresses(h, signal)))).flat();
  const servers = [...new Set(addrs)].map((a) => (a.includes(':') ? `[${a}]:53` : `${a}:53`));
  if (servers.length === 0) throw new CertfleetError('DNS_PROVIDER', `zone ${zone} has no reachable NS records`);
  return servers;
}

/**
 * Waits until every server shows every expected value at every name. Asks all
 * servers for all names in parallel each round; servers and names already
 * satisfied are not asked again; backs off between rounds.
 */
export async function waitForTxt(
  lookup: DnsLookup,
  servers: string[],
  expected: Map<string, string[]>,
  opts: PropagationOptions,
  signal: AbortSignal,
): Promise<void> {
  const pending = new Set<string>();
  for (const server of servers) for (const name of expected.keys()) pending.add(`${server}\n${name}`);
  const timeout = timeoutSignal(opts.timeoutMs);
  const deadline = timeout.signal;
  const both = AbortSignal.any([signal, deadline]);
  let interval = opts.firstIntervalMs;
  const lastError = new Map<string, string>();
  // A wait can last up to the timeout (minutes): say which servers still lack which names.
  const stopProgress = opts.log ? tickWhile((ms) => opts.log?.info(waitingFields(pending, ms, opts.timeoutMs), 'dns_propagation_waiting'), opts.progressEveryMs ?? PROGRESS_EVERY_MS) : () => undefined;
  try {
    for (;;) {
      await Promise.all([...pending].map(async (key) => {
        const [server, name] = key.split('\n') as [string, string];
        try {
          const seen = await lookup.txtAt(server, name, both);
          if ((expected.get(name) ?? []).every((v) => seen.includes(v))) pending.delete(key);
          else lastError.set(key, `has ${seen.length} value(s), not all expected`);
        } catch (err) {
          if (both.aborted) throw err;
          lastError.set(key, errorMessage(err));
        }
      }));
      if (pending.size === 0) return;
      await sleep(interval, both);
      interval = Math.min(interval * 2, opts.maxIntervalMs);
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (!deadline.aborted) throw err;
    const missing = [...pending].map((k) => `${k.replace('\n', ' ')} (${lastError.get(k) ?? 'no answer'})`).join('; ');
    throw new CertfleetError('DNS_PROPAGATION_TIMEOUT', `TXT records not visible after ${opts.timeoutMs / 1000}s on: ${missing}`, { retryable: true });
  } finally {
    timeout.clear();
    stopProgress();
  }
}

/** The fields of a progress line: the servers still missing values, and the names they lack. */
function waitingFields(pending: Set<string>, elapsedMs: number, timeoutMs: number): Record<string, unknown> {
  const servers = new Set<string>();
  const names = new Set<string>();
  for (const key of pending) {
    const [server, name] = key.split('\n') as [string, string];
    servers.add(server);
    names.add(name);
  }
  return { servers: [...servers], names: [...names], elapsed_s: Math.round(elapsedMs / 1000), timeout_s: Math.round(timeoutMs / 1000) };
}
