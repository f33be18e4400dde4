import { randomBytes } from 'node:crypto';
import type { ProviderConfig } from '../config/schema.js';
import { relativeName } from '../dns-name.js';
import { challengeName } from '../domain-name.js';
import { errorMessage } from '../errors.js';
import { followCnames } from './cname-chain.js';
import type { DnsLookup } from './dns-lookup.js';
import type { DnsProvider } from './dns-provider.js';
import { authoritativeServers, propagationOptions, waitForTxt } from './propagation.js';
import { findZone } from './zone-finder.js';

export interface DnsTestStep { step: 'locate' | 'write' | 'propagation' | 'delete'; ok: boolean; ms: number; detail: string }

/**
 * `certfleet dns-test`: what an issuance does with DNS, without a CA. Write a TXT record through
 * the provider, wait until every authoritative server shows it, delete it. The delete runs
 * even when a step before it failed, so nothing is left behind.
 */
export async function dnsTest(provider: DnsProvider, pcfg: ProviderConfig, domain: string, deps: { lookup: DnsLookup }, signal: AbortSignal, onStep: (s: DnsTestStep) => void = () => {}): Promise<DnsTestStep[]> {
  const steps: DnsTestStep[] = [];
  const record = (s: DnsTestStep) => { steps.push(s); onStep(s); return s.ok; };
  const timed = async <T>(step: DnsTestStep['step'], f: () => Promise<[T, string]>): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      const [value, detail] = await f();
      record({ step, ok: true, ms: performance.now() - t0, detail });
      return value;
    } catch (err) {
      if (signal.aborted) throw err;
      record({ step, ok: false, ms: performance.now() - t0, detail: errorMessage(err) });
      return undefined;
    }
  };

  const value = `certfleet-dns-test-${randomBytes(6).toString('hex')}`;
  const located = await timed('locate', async () => {
    const { target, chain } = await followCnames(deps.lookup, challengeName(domain), signal);
    const zone = await findZone(deps.lookup, target, signal);
    return [{ target, zone }, `${chain.join(' -> ')} in zone ${zone}`];
  });
  if (!located) return steps;
  const rec = { name: relativeName(located.target, located.zone), type: 'TXT', data: value, ttl: pcfg.ttl };
  const written = await timed('write', async () => {
    await provider.appendRecords(located.zone, [rec], signal);
    return [true, `TXT ${located.target} "${value}" through provider ${provider.id} (${pcfg.type})`];
  });
  if (written) {
    await timed('propagation', async () => {
      const servers = pcfg.propagation.nameservers ?? await authoritativeServers(deps.lookup, located.zone, signal);
      await waitForTxt(deps.lookup, servers, new Map([[located.target, [value]]]), propagationOptions(pcfg.propagation), signal);
      return [true, `seen on every authoritative server: ${servers.join(', ')}`];
    });
  }
  // Delete even after a failed write: a provider may fail after writing.
  await timed('delete', async () => {
    await provider.deleteRecords(located.zone, [rec], AbortSignal.any([signal, AbortSignal.timeout(30_000)]));
    return [true, `TXT ${located.target} removed`];
  });
  return steps;
}
