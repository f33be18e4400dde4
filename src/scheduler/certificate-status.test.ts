import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { certificateStatus, readStatuses, type StatusSource, type StoredFacts } from './certificate-status.js';
import { EMPTY_STATE, type RenewalState } from './renewal-policy.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const config = parseConfig(`acme: { directory: https://ca.test/dir }
dns: { providers: { home: { type: powerdns, api_url: http://127.0.0.1:1, api_key: k } } }
certificates:
  - { name: web, domains: [a.test, "*.a.test"], dns: home }
  - { domains: [b.test], dns: home, key_type: rsa-2048 }
`, 'c.yaml');
const [web, b] = config.certificates as [typeof config.certificates[number], typeof config.certificates[number]];
const ctx = { directory: config.acme.directory, now: T0 + 10 * DAY };
const stored = (days: number): StoredFacts => ({ domains: ['a.test', '*.a.test'], keyType: 'ecdsa-p256', notBefore: iso(T0), notAfter: iso(T0 + days * DAY), serial: 'aa', directory: 'https://ca.test/dir', issuedAt: iso(T0) });

describe('certificateStatus', () => {
  it('nothing stored: issue now, no stored facts, no last attempt', () => {
    expect(certificateStatus(web, undefined, EMPTY_STATE, ctx)).toEqual({
      name: 'web', decision: { due: true, reason: 'no certificate yet' }, action: 'issue', dueAt: ctx.now,
    });
  });

  it('a stored certificate before its window: wait until a third of the lifetime is left, with days left', () => {
    const s = certificateStatus(web, stored(90), EMPTY_STATE, ctx);
    expect(s).toMatchObject({ action: 'wait', dueAt: T0 + 60 * DAY, stored: { notAfter: iso(T0 + 90 * DAY), issuedAt: iso(T0), daysLeft: 80 } });
    expect(s.decision).toMatchObject({ due: false, reason: expect.stringMatching(/a third of the lifetime left at/) });
    expect(s.last).toBeUndefined();
  });

  it('a stored certificate in its window, or one whose domains changed: renew now', () => {
    expect(certificateStatus(web, stored(12), EMPTY_STATE, ctx)).toMatchObject({ action: 'renew', dueAt: ctx.now, stored: { daysLeft: 2 } });
    expect(certificateStatus(b, stored(90), EMPTY_STATE, ctx)).toMatchObject({ action: 'renew', decision: { reason: 'domains changed' } });
  });

  it('a first issuance inside its failure backoff waits: it is not obtained now', () => {
    const failed: RenewalState = { failures: 1, lastResult: 'failed', lastAttempt: iso(ctx.now - 1000), lastError: 'DNS down', nextAttempt: iso(ctx.now + 60_000) };
    expect(certificateStatus(web, undefined, failed, ctx)).toEqual({
      name: 'web', action: 'wait', dueAt: ctx.now + 60_000,
      decision: { due: false, at: ctx.now + 60_000, reason: expect.stringMatching(/^retry after failure 1/) },
      last: { result: 'failed', at: iso(ctx.now - 1000), error: 'DNS down' },
    });
  });
});

describe('force_renew', () => {
  const forced = { ...web, force_renew: true };
  const HOUR = 3_600_000;
  const young = (hoursAgo: number): StoredFacts => ({ ...stored(90), issuedAt: iso(ctx.now - hoursAgo * HOUR) });

  it('the daemon renews at most every 12 hours, counted from the last issuance, and says why', () => {
    const soon = certificateStatus(forced, young(11), EMPTY_STATE, ctx);
    expect(soon).toMatchObject({ action: 'wait', dueAt: ctx.now + HOUR, decision: { due: false, reason: expect.stringMatching(/^force_renew \(every 12 h\) at /) } });
    expect(certificateStatus(forced, young(12), EMPTY_STATE, ctx)).toMatchObject({ action: 'renew', decision: { due: true, reason: 'force_renew (every 12 h)' } });
    // Without it, the same certificate waits for its window (60 days after issuance).
    expect(certificateStatus(web, young(12), EMPTY_STATE, ctx)).toMatchObject({ action: 'wait', decision: { reason: expect.stringMatching(/a third of the lifetime/) } });
  });

  it('one issue run renews it every time, even just after the last one', () => {
    expect(certificateStatus(forced, young(0), EMPTY_STATE, { ...ctx, run: 'once' })).toMatchObject({ action: 'renew', decision: { due: true, reason: 'force_renew (on every issue run)' } });
    expect(certificateStatus(web, young(0), EMPTY_STATE, { ...ctx, run: 'once' })).toMatchObject({ action: 'wait' });
  });

  it('a failure backoff still holds (no retry loop), and the usual window wins when it comes first', () => {
    const failed: RenewalState = { failures: 1, lastResult: 'failed', lastAttempt: iso(ctx.now - 1000), lastError: 'DNS down', nextAttempt: iso(ctx.now + 60_000) };
    expect(certificateStatus(forced, young(13), failed, ctx)).toMatchObject({ action: 'wait', dueAt: ctx.now + 60_000 });
    expect(certificateStatus(forced, young(13), failed, { ...ctx, run: 'once' })).toMatchObject({ action: 'wait', dueAt: ctx.now + 60_000 });
    expect(certificateStatus(forced, { ...stored(12), issuedAt: iso(ctx.now - HOUR) }, EMPTY_STATE, ctx)).toMatchObject({ action: 'renew', decision: { reason: expect.stringMatching(/a third of the lifetime/) } });
  });
});

describe('readStatuses', () => {
  it('reads each certificate of the config by name, in config order, with the caller\'s signal', async () => {
    const signal = new AbortController().signal;
    const seen: string[] = [];
    const store: StatusSource = {
      readMeta: (name, s) => { seen.push(`meta ${name}`); expect(s).toBe(signal); return Promise.resolve(name === 'web' ? stored(90) : undefined); },
      readState: (name, s) => { seen.push(`state ${name}`); expect(s).toBe(signal); return Promise.resolve({ state: EMPTY_STATE, version: 0 }); },
    };
    const all = await readStatuses(config, store, ctx.now, signal);
    expect(all.map((s) => [s.name, s.action])).toEqual([['web', 'wait'], ['b.test', 'issue']]);
    expect(seen.sort()).toEqual(['meta b.test', 'meta web', 'state b.test', 'state web']);
  });

  it('reads a big config from the store\'s bulk read: the same statuses as by name', async () => {
    const signal = new AbortController().signal;
    const HOUR = 3_600_000;
    const failed = { ...EMPTY_STATE, failures: 2, lastResult: 'failed' as const, lastAttempt: iso(ctx.now - HOUR), nextAttempt: iso(ctx.now + HOUR) };
    const metas = new Map<string, StoredFacts>([['web', stored(90)], ['old', stored(5)]]);
    const states = new Map([['web', failed], ['gone', failed]]);
    const byName: StatusSource = {
      readMeta: (name) => Promise.resolve(metas.get(name)),
      readState: (name) => Promise.resolve({ state: states.get(name) ?? EMPTY_STATE, version: 0 }),
    };
    const bulk: StatusSource = {
      readMeta: () => Promise.reject(new Error('read by name')),
      readState: () => Promise.reject(new Error('read by name')),
      // Rows of certificates the config does not name too (gone), and none for a never-stored one (b.test).
      async *schedules(s) {
        expect(s).toBe(signal);
        yield [{ name: 'gone', meta: metas.get('gone'), state: { state: states.get('gone') ?? EMPTY_STATE } }];
        yield await Promise.resolve(['old', 'web'].map((name) => ({ name, meta: metas.get(name), state: { state: states.get(name) ?? EMPTY_STATE } })));
      },
    };
    const big = { ...config, certificates: [...config.certificates, { ...config.certificates[1]!, name: 'old', domains: ['old.test'] }] };
    const expected = await readStatuses(big, byName, ctx.now, signal, 'daemon', Infinity);
    expect(expected.map((s) => s.action)).toEqual(['wait', 'issue', 'renew']);
    expect(await readStatuses(big, bulk, ctx.now, signal, 'daemon', 1)).toEqual(expected);
    // A name twice (the config refuses it; a caller's merged list might not): each gets its row.
    const twice = { ...big, certificates: [...big.certificates, big.certificates[0]!] };
    expect(await readStatuses(twice, bulk, ctx.now, signal, 'daemon', 1)).toEqual([...expected, expected[0]]);
  });
});
