import { describe, expect, it } from 'vitest';
import type { DnsLookup } from '../dns/dns-lookup.js';
import type { DnsProvider, DnsRecord } from '../dns/dns-provider.js';
import { CertfleetError } from '../errors.js';
import type { ProviderConfig } from '../config/schema.js';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { captureLog } from '../../test/support/test-log.js';
import { Dns01Solver } from './dns01-solver.js';
import { DnsRouter } from './dns-router.js';
import { StateUpdates } from './state-updates.js';

const signal = new AbortController().signal;

/** Zones example.test and other.test; every server answers exactly what `published` holds. */
function scriptedDns(published: Map<string, string[]>): DnsLookup {
  return {
    soa: (name) => Promise.resolve(name === 'example.test' || name === 'other.test'),
    ns: () => Promise.resolve([]),
    addresses: () => Promise.resolve([]),
    cname: () => Promise.resolve(undefined),
    txtAt: (_server, name) => Promise.resolve(published.get(name) ?? []),
  };
}

/** Writes into `published`; `failZone` fails after the write landed (not provably unwritten). */
function recordingProvider(store: FakeCertificateStore, published: Map<string, string[]>, failZone?: string) {
  const log: string[] = [];
  const provider: DnsProvider = {
    id: 'home',
    appendRecords(zone, records: DnsRecord[]) {
      // Durably noted before the write: the ledger already holds every value sent now.
      const noted = store.states.get('web')?.state.pendingTxt ?? [];
      for (const r of records) {
        log.push(`append ${zone} ${r.name} ${r.data} noted=${noted.some((n) => n.zone === zone && n.value === r.data)}`);
        const fqdn = `${r.name}.${zone}`;
        published.set(fqdn, [...(published.get(fqdn) ?? []), r.data]);
      }
      if (zone === failZone) return Promise.reject(new CertfleetError('DNS_PROVIDER', 'injected: HTTP 500 after the write'));
      return Promise.resolve(records);
    },
    deleteRecords(zone, records: DnsRecord[]) {
      for (const r of records) {
        log.push(`delete ${zone} ${r.name} ${r.data}`);
        const fqdn = `${r.name}.${zone}`;
        published.set(fqdn, (published.get(fqdn) ?? []).filter((v) => v !== r.data));
      }
      return Promise.resolve(records);
    },
  };
  return { provider, log };
}

function solverFor(store: FakeCertificateStore, provider: DnsProvider, published: Map<string, string[]>) {
  const lookup = scriptedDns(published);
  const cfg = { type: 'exec', ttl: 60, propagation: { timeout: 2_000, nameservers: ['192.0.2.1:53'] } } as unknown as ProviderConfig;
  const router = new DnsRouter({ providers: { home: cfg }, lookup, create: () => Promise.resolve(provider) });
  return new Dns01Solver({ store, updates: new StateUpdates(store), router, lookup, log: captureLog().log, cleanupTimeoutMs: 2_000, writeRetryMs: 500 });
}

const challenges = [{ fqdn: '_acme-challenge.web.example.test', value: 'v1' }, { fqdn: '_acme-challenge.web.other.test', value: 'v2' }];

describe('Dns01Solver', () => {
  it('notes each value before writing it, waits until it is served, and removes exactly what it wrote', async () => {
    const store = new FakeCertificateStore();
    const published = new Map<string, string[]>([['_acme-challenge.web.example.test', ['someone-elses']]]);
    const { provider, log } = recordingProvider(store, published);
    const solver = solverFor(store, provider, published);
    const lease = await store.lock('web', signal);
    const presented = await solver.present({ certificate: 'web', dns: 'home', followCnames: true, lease, background: () => undefined }, challenges, signal);
    await solver.wait(presented, signal);
    await solver.cleanup(presented);
    expect(log.sort()).toEqual([
      'append example.test _acme-challenge.web v1 noted=true', 'append other.test _acme-challenge.web v2 noted=true',
      'delete example.test _acme-challenge.web v1', 'delete other.test _acme-challenge.web v2',
    ]);
    expect(published.get('_acme-challenge.web.example.test')).toEqual(['someone-elses']);
    expect(store.states.get('web')?.state.pendingTxt).toBeUndefined();
    // Every ledger write went under the certificate's lease, and the TXT names are free again.
    expect(store.stateWrites.every((w) => w.guard === 'lease')).toBe(true);
    expect(store.isLocked('_txt._acme-challenge.web.example.test')).toBe(false);
  });

  it('a write that fails after landing is cleaned up in the background and the error thrown', async () => {
    const store = new FakeCertificateStore();
    const published = new Map<string, string[]>();
    const { provider, log } = recordingProvider(store, published, 'other.test');
    const solver = solverFor(store, provider, published);
    const lease = await store.lock('web', signal);
    const background: Promise<void>[] = [];
    await expect(solver.present({ certificate: 'web', dns: 'home', followCnames: true, lease, background: (t) => background.push(t) }, challenges, signal)).rejects.toThrow(/injected/);
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect(log.filter((l) => l.startsWith('delete')).sort()).toEqual(['delete example.test _acme-challenge.web v1', 'delete other.test _acme-challenge.web v2']);
    expect(store.states.get('web')?.state.pendingTxt).toBeUndefined();
    expect(store.isLocked('_txt._acme-challenge.web.other.test')).toBe(false);
  });
});
