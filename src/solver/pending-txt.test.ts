import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DnsProvider, DnsRecord } from '../dns/dns-provider.js';
import { CertfleetError } from '../errors.js';
import type { PendingTxt } from '../store/renewal-state.js';
import type { CertificateStore, Lease } from '../store/certificate-store.js';
import { FileStore } from '../store/file-store.js';
import { captureLog } from '../../test/support/test-log.js';
import { PendingTxtLedger, removeLeftoverTxt } from './pending-txt.js';
import { StateUpdates } from './state-updates.js';

const S = () => AbortSignal.timeout(10_000);

let dir: string;
let store: FileStore;
let seam: CertificateStore;
let lease: Lease;
let ledger: PendingTxtLedger;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-pending-'));
  store = new FileStore({ root: dir });
  seam = store;
  lease = await seam.lock('web', AbortSignal.timeout(1000));
  ledger = new PendingTxtLedger(new StateUpdates(seam), 'web', lease);
});
afterEach(async () => {
  await lease.release();
  await rm(dir, { recursive: true, force: true });
});
const signal = () => AbortSignal.timeout(1000);

const entry = (value: string, zone = 'example.test'): PendingTxt => ({ provider: 'home', zone, name: `_acme-challenge.${zone}`, value, ttl: 60 });

describe('PendingTxtLedger', () => {
  it('adds entries once, forgets exactly those cleared, and keeps the rest of the state', async () => {
    await store.writeState('web', { failures: 2, lastError: 'x' }, { lease }, S());
    await ledger.record([entry('a'), entry('b')], AbortSignal.timeout(1000));
    await ledger.record([entry('b'), entry('c')], AbortSignal.timeout(1000));
    expect((await store.readState('web', S())).state.pendingTxt?.map((e) => e.value)).toEqual(['a', 'b', 'c']);
    await ledger.clear([entry('b')], signal());
    expect((await store.readState('web', S())).state).toEqual({ failures: 2, lastError: 'x', pendingTxt: [entry('a'), entry('c')] });
    await ledger.clear([entry('a'), entry('c')], signal());
    expect((await store.readState('web', S())).state).toEqual({ failures: 2, lastError: 'x' });
  });

  it('concurrent updates of one certificate lose nothing', async () => {
    const updates = new StateUpdates(seam);
    const l = new PendingTxtLedger(updates, 'web', lease);
    await Promise.all([l.record([entry('a')], signal()), updates.update('web', (s) => ({ ...s, failures: s.failures + 1 }), { lease }, signal()), l.record([entry('b')], signal())]);
    expect((await store.readState('web', S())).state).toEqual({ failures: 1, pendingTxt: [entry('a'), entry('b')] });
  });
});

describe('removeLeftoverTxt', () => {
  it('deletes exactly the noted values, forgets those deleted, and keeps what could not be deleted', async () => {
    const deleted: { zone: string; records: DnsRecord[] }[] = [];
    const provider: DnsProvider = {
      id: 'home',
      appendRecords: () => Promise.reject(new Error('not used')),
      deleteRecords: (zone, records) => {
        if (zone === 'other.test') return Promise.reject(new CertfleetError('DNS_AUTH', 'key refused'));
        deleted.push({ zone, records });
        return Promise.resolve(records);
      },
    };
    const entries = [entry('a'), entry('b'), entry('c', 'other.test'), { ...entry('d'), provider: 'gone' }];
    await ledger.record(entries, AbortSignal.timeout(1000));
    const cap = captureLog();
    const left = await removeLeftoverTxt({ store: seam, ledger, entries, provider: (id) => (id === 'home' ? provider : undefined), log: cap.log, budget: AbortSignal.timeout(5000) });
    expect(left).toBe(2);
    expect(deleted).toEqual([{ zone: 'example.test', records: [{ name: '_acme-challenge', type: 'TXT', data: 'a', ttl: 60 }, { name: '_acme-challenge', type: 'TXT', data: 'b', ttl: 60 }] }]);
    expect((await store.readState('web', S())).state.pendingTxt?.map((e) => e.value)).toEqual(['c', 'd']);
    expect(cap.records().map((r) => r.msg).sort()).toEqual(['cleanup_failed', 'txt_leftover_provider_missing', 'txt_leftovers_removed']);
  });
});
