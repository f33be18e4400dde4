import { describe, expect, it } from 'vitest';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { StateUpdates } from './state-updates.js';

const signal = new AbortController().signal;

/** web held, with one change (failures: `failures`) given to updateLater. */
async function heldWithLaterChange(failures: number) {
  const store = new FakeCertificateStore();
  const lease = await store.lock('web', signal);
  const updates = new StateUpdates(store);
  updates.hold('web');
  await updates.updateLater('web', (s) => ({ ...s, failures }), { lease }, signal);
  return { store, lease, updates };
}

describe('StateUpdates', () => {
  it('two over one store (the pipeline\'s and the solver\'s) never lose each other\'s change under one lease', async () => {
    const store = new FakeCertificateStore();
    const lease = await store.lock('web', signal);
    const [a, b] = [new StateUpdates(store), new StateUpdates(store)];
    await Promise.all([
      a.update('web', (s) => ({ ...s, failures: s.failures + 1 }), { lease }, signal),
      b.update('web', (s) => ({ ...s, lastError: 'x' }), { lease }, signal),
      a.update('web', (s) => ({ ...s, failures: s.failures + 1 }), { lease }, signal),
    ]);
    expect((await store.readState('web')).state).toEqual({ failures: 2, lastError: 'x' });
  });

  it('a compare-and-set that loses to another writer reads again and applies its change on top', async () => {
    const store = new FakeCertificateStore();
    const updates = new StateUpdates(store);
    let first = true;
    await updates.update('web', (s) => {
      // Another process writes between this read and this write, once.
      if (first) void store.writeState('web', { ...s, lastError: 'theirs' }, { expectedVersion: 0 });
      first = false;
      return { ...s, failures: s.failures + 1 };
    }, 'compare-and-set', signal);
    expect((await store.readState('web')).state).toEqual({ failures: 1, lastError: 'theirs' });
  });

  it('while a name is held, a later change goes with the next write: a ledger note, its clear and the result are two writes, not three', async () => {
    const store = new FakeCertificateStore();
    const lease = await store.lock('web', signal);
    const updates = new StateUpdates(store);
    const txt = { provider: 'p', zone: 'z', name: 'n', value: 'v', ttl: 60 };
    updates.hold('web');
    await updates.update('web', (s) => ({ ...s, pendingTxt: [txt] }), { lease }, signal);
    await updates.updateLater('web', ({ pendingTxt: _gone, ...s }) => s, { lease }, signal);
    expect((await store.readState('web')).state.pendingTxt).toEqual([txt]);
    await updates.update('web', (s) => ({ ...s, lastResult: 'issued' }), { lease }, signal);
    expect(await store.readState('web')).toEqual({ version: 2, state: { failures: 0, lastResult: 'issued' } });
    // Nothing left to write at the release.
    await updates.release('web', { lease }, signal);
    expect((await store.readState('web')).version).toBe(2);
  });

  it('a held change not carried by a later write is written at the release, and a change that changes nothing writes nothing', async () => {
    const { store, lease, updates } = await heldWithLaterChange(3);
    expect((await store.readState('web')).version).toBe(0);
    await updates.release('web', { lease }, signal);
    expect(await store.readState('web')).toEqual({ version: 1, state: { failures: 3 } });
    await updates.update('web', (s) => ({ ...s }), { lease }, signal);
    await updates.updateLater('web', (s) => ({ ...s, failures: 4 }), { lease }, signal);
    expect(await store.readState('web')).toEqual({ version: 2, state: { failures: 4 } });
  });

  it('a held change whose write failed is held again for the next write', async () => {
    const { store, lease, updates } = await heldWithLaterChange(1);
    const write = store.writeState.bind(store);
    store.writeState = () => Promise.reject(new Error('ENOSPC'));
    await expect(updates.update('web', (s) => ({ ...s, lastError: 'x' }), { lease }, signal)).rejects.toThrow('ENOSPC');
    store.writeState = write;
    await updates.release('web', { lease }, signal);
    expect((await store.readState('web')).state).toEqual({ failures: 1 });
  });
});
