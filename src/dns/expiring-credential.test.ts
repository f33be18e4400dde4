import { describe, expect, it } from 'vitest';
import { ExpiringCredential } from './expiring-credential.js';

describe('ExpiringCredential', () => {
  const signal = AbortSignal.timeout(5_000);

  it('keeps the credential until the margin before expiry, then fetches a new one', async () => {
    let now = 1_000_000;
    let fetched = 0;
    const c = new ExpiringCredential(() => Promise.resolve({ value: `t${++fetched}`, expiresAt: now + 3600_000 }), 300_000, () => now);
    expect(await c.get(signal)).toBe('t1');
    now += 3600_000 - 300_001;
    expect(await c.get(signal)).toBe('t1');
    now += 1;
    expect(await c.get(signal)).toBe('t2');
    expect(fetched).toBe(2);
  });

  it('callers at the same moment share one fetch; a failed fetch is not kept', async () => {
    let fetched = 0;
    let fail = true;
    const c = new ExpiringCredential(async () => {
      fetched++;
      await Promise.resolve();
      if (fail) throw new Error('token endpoint down');
      return { value: 'ok', expiresAt: Date.now() + 3600_000 };
    });
    const both = await Promise.allSettled([c.get(signal), c.get(signal)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fetched).toBe(1);
    fail = false;
    expect(await c.get(signal)).toBe('ok');
    expect(fetched).toBe(2);
  });
});
