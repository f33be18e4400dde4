import { describe, expect, it } from 'vitest';
import { BatchingProvider } from './batching-provider.js';
import type { DnsProvider, DnsRecord } from './dns-provider.js';

const rec = (name: string, data = `v-${name}`): DnsRecord => ({ name, type: 'TXT', data, ttl: 60 });

/** A provider whose calls finish only when the test says so, recording each call. */
function slowProvider(fail?: Error) {
  const calls: { kind: string; names: string[]; signal: AbortSignal }[] = [];
  const finishers: (() => void)[] = [];
  const call = (kind: string) => (_zone: string, records: DnsRecord[], signal: AbortSignal) => {
    calls.push({ kind, names: records.map((r) => r.name), signal });
    return new Promise<DnsRecord[]>((resolve, reject) => finishers.push(() => (fail ? reject(fail) : resolve(records))));
  };
  const provider: DnsProvider = { id: 'p', appendRecords: call('append'), deleteRecords: call('delete') };
  const finishNext = async () => {
    await new Promise((r) => setImmediate(r));
    finishers.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { provider, calls, finishNext };
}

describe('BatchingProvider', () => {
  it('sends a write to an idle zone at once, and what arrives meanwhile together in the next call', async () => {
    const { provider, calls, finishNext } = slowProvider();
    const b = new BatchingProvider(provider);
    const signal = AbortSignal.timeout(5000);
    const first = b.appendRecords('z', [rec('a')], signal);
    expect(calls.map((c) => c.names)).toEqual([['a']]);
    const later = [b.appendRecords('z', [rec('b')], signal), b.appendRecords('z', [rec('c'), rec('d')], signal), b.appendRecords('other', [rec('x')], signal)];
    expect(calls.map((c) => c.names)).toEqual([['a'], ['x']]); // another zone is not held back
    await finishNext();
    expect(await first).toEqual([rec('a')]);
    expect(calls.map((c) => c.names)).toEqual([['a'], ['x'], ['b', 'c', 'd']]);
    await finishNext();
    await finishNext();
    expect(await later[0]).toEqual([rec('b')]);
    expect(await later[1]).toEqual([rec('c'), rec('d')]);
    expect(await later[2]).toEqual([rec('x')]);
  });

  it('never mixes appends and deletes in one call, and keeps their order', async () => {
    const { provider, calls, finishNext } = slowProvider();
    const b = new BatchingProvider(provider);
    const s = AbortSignal.timeout(5000);
    const all = [b.appendRecords('z', [rec('a')], s), b.deleteRecords('z', [rec('b')], s), b.deleteRecords('z', [rec('c')], s), b.appendRecords('z', [rec('d')], s)];
    for (let i = 0; i < 3; i++) await finishNext();
    await Promise.all(all);
    expect(calls.map((c) => `${c.kind} ${c.names.join(',')}`)).toEqual(['append a', 'delete b,c', 'append d']);
  });

  it('gives a failed call\'s error to every caller in it', async () => {
    const { provider, finishNext } = slowProvider(new Error('HTTP 500 from PowerDNS'));
    const b = new BatchingProvider(provider);
    const s = AbortSignal.timeout(5000);
    const settled = [rec('a'), rec('b'), rec('c')].map((r) => b.appendRecords('z', [r], s).then(() => 'ok', (e: Error) => e.message));
    await finishNext();
    await finishNext();
    expect(await Promise.all(settled)).toEqual(Array(3).fill('HTTP 500 from PowerDNS'));
  });

  it('one caller giving up leaves the batch alone; the batch is aborted only when all have', async () => {
    const { provider, calls, finishNext } = slowProvider();
    const b = new BatchingProvider(provider);
    const first = b.appendRecords('z', [rec('a')], AbortSignal.timeout(5000));
    const quitter = new AbortController();
    const gone = b.appendRecords('z', [rec('gone')], quitter.signal);
    const stays = b.appendRecords('z', [rec('stays')], AbortSignal.timeout(5000));
    quitter.abort(new Error('shutdown'));
    await expect(gone).rejects.toThrow('shutdown');
    await finishNext();
    await first;
    expect(calls[1]!.names).toEqual(['stays']); // removed while still waiting
    expect(calls[1]!.signal.aborted).toBe(false);
    await finishNext();
    expect(await stays).toEqual([rec('stays')]);

    // Two callers in one call in flight: the call's signal aborts only with the second.
    const blocker = b.appendRecords('y', [rec('blocker')], AbortSignal.timeout(5000));
    const both = [new AbortController(), new AbortController()];
    const pending = both.map((c, i) => b.appendRecords('y', [rec(`n${i}`)], c.signal).catch((e: unknown) => e));
    await finishNext();
    await blocker;
    const inFlight = calls[3]!;
    expect(inFlight.names).toEqual(['n0', 'n1']);
    both[0]!.abort(new Error('one'));
    expect(inFlight.signal.aborted).toBe(false);
    both[1]!.abort(new Error('two'));
    expect(inFlight.signal.aborted).toBe(true);
    expect((await Promise.all(pending)).map((e) => (e as Error).message)).toEqual(['one', 'two']);
    await finishNext();
  });

  it('leaves no abort listeners on a long-lived signal once calls are over', async () => {
    const { provider, finishNext } = slowProvider();
    const b = new BatchingProvider(provider);
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => { listeners++; add(...args); });
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => { listeners--; remove(...args); });
    const calls = [b.appendRecords('z', [rec('a')], controller.signal), b.appendRecords('z', [rec('b')], controller.signal), b.deleteRecords('z', [rec('a')], controller.signal)];
    for (let i = 0; i < 3; i++) await finishNext();
    await Promise.all(calls);
    expect(listeners).toBe(0);
  });

  it('what the provider did goes to one caller each: a value two callers asked for is created for the first only', async () => {
    // Like a real provider: each distinct value once, and one already there not at all.
    const there = new Set(['old']);
    const provider: DnsProvider = {
      id: 'p',
      appendRecords: (_zone, records) => Promise.resolve(records.filter((r) => !there.has(r.data) && (there.add(r.data), true))),
      deleteRecords: () => Promise.resolve([]),
    };
    const b = new BatchingProvider(provider);
    const s = AbortSignal.timeout(5000);
    const blocker = b.appendRecords('z', [rec('x', 'first')], s);
    const [one, two, three] = [b.appendRecords('z', [rec('n', 'same')], s), b.appendRecords('z', [rec('n', 'same')], s), b.appendRecords('z', [rec('n', 'old'), rec('n', 'new')], s)];
    await blocker;
    expect(await one).toEqual([rec('n', 'same')]);
    expect(await two).toEqual([]);
    expect(await three).toEqual([rec('n', 'new')]);
  });

  describe('deletes held back for the cleanups of other certificates in the zone', () => {
    const linger = (ms = 60_000) => {
      const slow = slowProvider();
      return { ...slow, b: new BatchingProvider(slow.provider, { deleteLingerMs: ms }) };
    };
    /** Appends each record as its own certificate would, and waits until all are up. */
    const up = async (b: BatchingProvider, finishNext: () => Promise<void>, names: string[], s: AbortSignal) => {
      const appends = names.map((n) => b.appendRecords('z', [rec(n)], s));
      for (let i = 0; i < names.length; i++) await finishNext();
      await Promise.all(appends);
    };

    it('sends them together when the last record up is deleted', async () => {
      const { b, calls, finishNext } = linger();
      const s = AbortSignal.timeout(5000);
      await up(b, finishNext, ['a', 'b', 'c'], s);
      const first = b.deleteRecords('z', [rec('a')], s);
      const second = b.deleteRecords('z', [rec('b')], s);
      await new Promise((r) => setImmediate(r));
      expect(calls.filter((c) => c.kind === 'delete')).toEqual([]);
      const last = b.deleteRecords('z', [rec('c')], s);
      expect(calls.filter((c) => c.kind === 'delete').map((c) => c.names)).toEqual([['a', 'b', 'c']]);
      await finishNext();
      expect(await Promise.all([first, second, last])).toEqual([[rec('a')], [rec('b')], [rec('c')]]);
    });

    it('sends a delete at once when nothing else is up: a lone certificate never waits', async () => {
      const { b, calls, finishNext } = linger();
      const s = AbortSignal.timeout(5000);
      await up(b, finishNext, ['a'], s);
      const done = b.deleteRecords('z', [rec('a')], s);
      expect(calls.map((c) => `${c.kind} ${c.names.join(',')}`)).toEqual(['append a', 'delete a']);
      await finishNext();
      await done;
      // A record this provider never appended (left by a run before) is deleted at once too.
      const leftover = b.deleteRecords('z', [rec('old')], s);
      expect(calls.at(-1)).toMatchObject({ kind: 'delete', names: ['old'] });
      await finishNext();
      await leftover;
    });

    it('sends them when the linger runs out while others are still up', async () => {
      const { b, calls, finishNext } = linger(30);
      const s = AbortSignal.timeout(5000);
      await up(b, finishNext, ['a', 'b'], s);
      const held = b.deleteRecords('z', [rec('a')], s);
      expect(calls.filter((c) => c.kind === 'delete')).toEqual([]);
      await new Promise((r) => setTimeout(r, 60));
      expect(calls.filter((c) => c.kind === 'delete').map((c) => c.names)).toEqual([['a']]);
      await finishNext();
      expect(await held).toEqual([rec('a')]);
    });

    it('counts an append that failed as not up: the deletes held for it go', async () => {
      // The first append lands; the second is answered with an error when the test says so.
      const calls: string[] = [];
      let failSecond: (err: Error) => void = () => undefined;
      let appends = 0;
      const provider: DnsProvider = {
        id: 'p',
        appendRecords: (_z, records) => {
          calls.push(`append ${records.map((r) => r.name).join(',')}`);
          return ++appends === 1 ? Promise.resolve(records) : new Promise((_resolve, reject) => { failSecond = reject; });
        },
        deleteRecords: (_z, records) => { calls.push(`delete ${records.map((r) => r.name).join(',')}`); return Promise.resolve(records); },
      };
      const b = new BatchingProvider(provider, { deleteLingerMs: 60_000 });
      const s = AbortSignal.timeout(5000);
      await b.appendRecords('z', [rec('a')], s);
      const second = b.appendRecords('z', [rec('b')], s).catch((e: Error) => e.message);
      await new Promise((r) => setImmediate(r));
      const held = b.deleteRecords('z', [rec('a')], s);
      await new Promise((r) => setImmediate(r));
      expect(calls).toEqual(['append a', 'append b']); // b is up (sent), so a's delete waits for it
      failSecond(new Error('HTTP 500'));
      expect(await second).toBe('HTTP 500');
      expect(await held).toEqual([rec('a')]);
      expect(calls).toEqual(['append a', 'append b', 'delete a']);
    });

    it('answers an aborted held delete at once and does not send it', async () => {
      const { b, calls, finishNext } = linger();
      const s = AbortSignal.timeout(5000);
      await up(b, finishNext, ['a', 'b'], s);
      const quitter = new AbortController();
      const gone = b.deleteRecords('z', [rec('a')], quitter.signal);
      quitter.abort(new Error('shutdown'));
      await expect(gone).rejects.toThrow('shutdown');
      const last = b.deleteRecords('z', [rec('b')], s);
      expect(calls.filter((c) => c.kind === 'delete').map((c) => c.names)).toEqual([['b']]);
      await finishNext();
      await last;
    });
  });
});
