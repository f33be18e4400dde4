import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CertificateStore, PemFile } from '../../src/store/certificate-store.js';

/** What the conformance suite needs of a store under test; a fresh, empty store per test. */
export interface StoreFixture {
  store: CertificateStore;
  /** Another handle on the same store, as a second process would open it. */
  reopen(): CertificateStore;
  /**
   * Makes the holder of `name`'s lock look dead (a crash: the lease is not released), so the
   * next `lock` takes it over at once.
   */
  abandonLock(name: string): Promise<void>;
  /**
   * Fails the n-th write the store makes from now on, as a full disk does, until `restore`;
   * `hit` says whether the n-th write happened.
   */
  failNthWrite(n: number): Promise<{ hit(): boolean; restore(): void }>;
  /** What a reader on this host sees of `name`: the certificate and key it would serve, or undefined. */
  readServed(name: string): Promise<{ cert: string; privkey: string } | undefined>;
  /** What failed writes left behind (none is expected once a failed save returned). */
  debris(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const signal = () => AbortSignal.timeout(20_000);
const NAME = 'web';
const meta = (serial: string) => ({ name: NAME, domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: 'conformance', serial, account: 'a', orderUrl: 'o', issuedAt: '' });
/** Every file names its version, so a reader can tell a mix; sizes like real PEMs (a write can fail half-way). */
const pem = (tag: string): Record<PemFile, string> => ({
  cert: `cert ${tag}\n${'c'.repeat(1500)}\n`, chain: `chain ${tag}\n${'i'.repeat(3000)}\n`,
  fullchain: `fullchain ${tag}\n${'f'.repeat(4500)}\n`, privkey: `privkey ${tag}\n${'k'.repeat(240)}\n`,
});
const tagOf = (text: string) => /^\w+ (\S+)\n/.exec(text)?.[1];

async function saveUnder(store: CertificateStore, tag: string): Promise<void> {
  await using lease = await store.lock(NAME, signal());
  await store.save({ meta: meta(tag), pem: pem(tag) }, lease, signal());
}

/** The version a load shows, or why it is not one whole version. */
async function loadedTag(store: CertificateStore): Promise<string> {
  const loaded = await store.load(NAME, signal());
  if (!loaded) return 'none';
  const tags = new Set([loaded.meta.serial, ...Object.values(loaded.pem).map(tagOf)]);
  return tags.size === 1 ? loaded.meta.serial : `mixed ${[...tags].join(',')}`;
}

async function servedTag(f: StoreFixture): Promise<string> {
  const served = await f.readServed(NAME);
  if (!served) return 'none';
  const [c, k] = [tagOf(served.cert), tagOf(served.privkey)];
  return c === k ? c! : `mixed cert ${c} key ${k}`;
}

const refusal = (p: Promise<unknown>) => p.then(() => 'written', (err: unknown) => (err as { code?: string }).code ?? String(err));

/**
 * The same tests for every CertificateStore (issue 14 item 9), like the DNS provider suite: the
 * promises of the contract in src/store/certificate-store.ts, each against a fresh store.
 */
export function describeStoreConformance(label: string, setup: () => Promise<StoreFixture>, sizes: { faultPoints?: number; readerSaves?: number } = {}): void {
  describe(`CertificateStore conformance: ${label}`, () => {
    let f: StoreFixture;
    beforeEach(async () => { f = await setup(); });
    afterEach(async () => { await f?.cleanup(); });

    it('save is all or nothing with a fault injected at each of its writes, and a failed save never blocks the next', async () => {
      const outcomes: string[] = [];
      for (let n = 1; ; n++) {
        await f.cleanup();
        f = await setup();
        await saveUnder(f.store, '1');
        const lease = await f.store.lock(NAME, signal());
        const fault = await f.failNthWrite(n);
        const err = await f.store.save({ meta: meta('2'), pem: pem('2') }, lease, signal()).then(() => undefined, (e: unknown) => e as Error);
        fault.restore();
        await lease.release();
        if (!fault.hit()) {
          expect(err).toBeUndefined();
          break;
        }
        const [loaded, served] = [await loadedTag(f.store), await servedTag(f)];
        outcomes.push(`write ${n}: ${err ? 'failed' : 'saved'}, shows ${loaded}`);
        // A whole version, the same for load and for a reader of the host's files.
        expect(['1', '2'], `write ${n}`).toContain(loaded);
        expect(served, `write ${n}`).toBe(loaded);
        if (err && loaded === '1') expect(await f.debris(), `write ${n}: nothing of the failed version is left`).toEqual([]);
        if (!err) expect(loaded, `write ${n}: a save that returned is visible`).toBe('2');
        await saveUnder(f.store, '3');
        expect(await loadedTag(f.store), `after write ${n}`).toBe('3');
        expect(await f.debris(), `after write ${n}`).toEqual([]);
      }
      expect(outcomes.length, outcomes.join('\n')).toBeGreaterThanOrEqual(sizes.faultPoints ?? 5);
    });

    it('a reader never sees a certificate of one version with a key of another, during saves', async () => {
      await saveUnder(f.store, '0');
      const reader = f.reopen();
      const seen: string[] = [];
      let done = false;
      const reading = (async () => {
        while (!done) {
          seen.push(await loadedTag(reader), await servedTag(f));
        }
      })();
      const saves = sizes.readerSaves ?? 40;
      for (let i = 1; i <= saves; i++) await saveUnder(f.store, String(i));
      done = true;
      await reading;
      expect(seen.filter((s) => !/^\d+$/.test(s))).toEqual([]);
      expect(new Set(seen).size, 'the reader saw the saves happen').toBeGreaterThan(1);
    });

    it('lock is exclusive across handles, and every grant gets a greater fencing token', async () => {
      const other = f.reopen();
      const first = await f.store.lock(NAME, signal());
      expect(await refusal(other.lock(NAME, AbortSignal.timeout(300)))).not.toBe('written');
      await first.release();
      const second = await other.lock(NAME, signal());
      expect(second.token).toBeGreaterThan(first.token);
      await second.release();
      const third = await f.store.lock(NAME, signal());
      expect(third.token).toBeGreaterThan(second.token);
      await third.release();
    });

    it('tryLock does not wait for a live holder, takes a dead holder\'s lock over, and its grants are fenced like lock\'s', async () => {
      const other = f.reopen();
      const held = await f.store.lock(NAME, signal());
      expect(await other.tryLock(NAME, signal())).toBeUndefined();
      await f.abandonLock(NAME);
      const taken = await other.tryLock(NAME, AbortSignal.timeout(10_000));
      expect(taken?.token).toBeGreaterThan(held.token);
      expect(await refusal(f.store.save({ meta: meta('stale'), pem: pem('stale') }, held, signal()))).toBe('STORE_FENCED');
      await taken!.release();
      await held.release();
      const again = await f.store.tryLock(NAME, signal());
      expect(again?.token).toBeGreaterThan(taken!.token);
      await again!.release();
    });

    it('a dead holder\'s lock is taken over; the taker\'s token is greater, and the old lease writes nothing', async () => {
      await saveUnder(f.store, '1');
      const dead = await f.store.lock(NAME, signal());
      await f.abandonLock(NAME);
      const taker = await f.reopen().lock(NAME, AbortSignal.timeout(10_000));
      expect(taker.token).toBeGreaterThan(dead.token);
      expect(await refusal(f.store.save({ meta: meta('stale'), pem: pem('stale') }, dead, signal()))).toBe('STORE_FENCED');
      expect(await refusal(f.store.writeState(NAME, { failures: 9 }, { lease: dead }, signal()))).toBe('STORE_FENCED');
      expect(await loadedTag(f.store)).toBe('1');
      expect((await f.store.readState(NAME, signal())).state.failures).toBe(0);
      // The newer holder's writes go through.
      await f.store.save({ meta: meta('2'), pem: pem('2') }, taker, signal());
      await f.store.writeState(NAME, { failures: 1 }, { lease: taker }, signal());
      expect(await loadedTag(f.store)).toBe('2');
      await taker.release();
      await dead.release();
    });

    it('a released lease, or one of another name, writes nothing', async () => {
      const lease = await f.store.lock(NAME, signal());
      const otherName = await f.store.lock('api', signal());
      expect(await refusal(f.store.save({ meta: meta('x'), pem: pem('x') }, otherName, signal()))).toBe('STORE_FENCED');
      await lease.release();
      expect(await refusal(f.store.save({ meta: meta('x'), pem: pem('x') }, lease, signal()))).toBe('STORE_FENCED');
      expect(await refusal(f.store.writeState(NAME, { failures: 3 }, { lease }, signal()))).toBe('STORE_FENCED');
      expect(await loadedTag(f.store)).toBe('none');
      expect((await f.store.readState(NAME, signal())).version).toBe(0);
      await otherName.release();
    });

    it('schedules gives every stored certificate once, with what readMeta and readState give for it', async () => {
      const names = ['a-saved-with-state', 'b-saved', 'c-state-only'];
      for (const name of names.slice(0, 2)) {
        await using lease = await f.store.lock(name, signal());
        await f.store.save({ meta: { ...meta('1'), name }, pem: pem('1') }, lease, signal());
        if (name === names[0]) await f.store.writeState(name, { failures: 3 }, { lease }, signal());
      }
      await f.store.writeState(names[2]!, { failures: 1 }, { expectedVersion: 0 }, signal());
      const seen = async (store: CertificateStore) => {
        const rows = [];
        for await (const page of store.schedules(signal())) rows.push(...page);
        return rows.sort((x, y) => x.name.localeCompare(y.name));
      };
      const expected = async (store: CertificateStore) => Promise.all(names.map(async (name) => ({ name, meta: await store.readMeta(name, signal()), state: await store.readState(name, signal()) })));
      expect(await seen(f.store)).toEqual(await expected(f.store));
      expect((await seen(f.store)).map((r) => [r.meta?.serial, r.state.state.failures])).toEqual([['1', 3], ['1', 0], [undefined, 1]]);
      // Another handle's writes are seen by a later pass.
      const other = f.reopen();
      {
        await using lease = await other.lock(names[1]!, signal());
        await other.save({ meta: { ...meta('2'), name: names[1]! }, pem: pem('2') }, lease, signal());
      }
      expect(await seen(f.store)).toEqual(await expected(other));
      // A filter's refused names may be left out; what it accepts is all there, as before.
      const wanted = new Set([names[0]!, names[2]!]);
      const filtered = [];
      for await (const page of f.store.schedules(signal(), (name) => wanted.has(name))) filtered.push(...page);
      expect(filtered.filter((r) => wanted.has(r.name)).sort((x, y) => x.name.localeCompare(y.name))).toEqual((await expected(other)).filter((r) => wanted.has(r.name)));
    });

    it('state: compare-and-set refuses a stale version, a lease write moves the version, concurrent writers lose no update', async () => {
      expect(await f.store.readState(NAME, signal())).toEqual({ state: { failures: 0 }, version: 0 });
      const v1 = await f.store.writeState(NAME, { failures: 1 }, { expectedVersion: 0 }, signal());
      expect(v1.version).toBeGreaterThan(0);
      expect(await refusal(f.store.writeState(NAME, { failures: 7 }, { expectedVersion: 0 }, signal()))).toBe('STORE_CONFLICT');
      expect(await f.store.readState(NAME, signal())).toEqual(v1);
      {
        await using lease = await f.store.lock(NAME, signal());
        const v2 = await f.store.writeState(NAME, { failures: 2 }, { lease }, signal());
        expect(v2.version).toBeGreaterThan(v1.version);
      }
      expect(await refusal(f.store.writeState(NAME, { failures: 7 }, { expectedVersion: v1.version }, signal()))).toBe('STORE_CONFLICT');
      // Read, change, write; on a conflict read again: every increment lands exactly once.
      const handles = Array.from({ length: 4 }, () => f.reopen());
      let conflicts = 0;
      await Promise.all(handles.flatMap((h) => Array.from({ length: 5 }, async () => {
        for (;;) {
          const { state, version } = await h.readState(NAME, signal());
          try {
            await h.writeState(NAME, { ...state, failures: state.failures + 1 }, { expectedVersion: version }, signal());
            return;
          } catch (err) {
            if ((err as { code?: string }).code !== 'STORE_CONFLICT') throw err;
            conflicts++;
          }
        }
      })));
      expect((await f.store.readState(NAME, signal())).state.failures).toBe(2 + 20);
      console.log(`${label}: 20 concurrent compare-and-set increments, ${conflicts} conflicts retried`);
    });
  });
}
