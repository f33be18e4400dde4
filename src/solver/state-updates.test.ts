import { describe, expect, it } from 'vitest';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { StateUpdates } from './state-updates.js';

const signal = new AbortController().signal;

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
});
