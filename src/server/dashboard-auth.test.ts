import { describe, expect, it } from 'vitest';
import { DashboardAuth, cookieValue, sessionCookie } from './dashboard-auth.js';

describe('DashboardAuth', () => {
  it('lets everything through when no token is configured', () => {
    const auth = new DashboardAuth(() => undefined);
    expect(auth.required).toBe(false);
    expect(auth.allows(undefined)).toBe(true);
    expect(auth.accepts('anything')).toBe(false);
  });

  it('is closed off loopback without a token, and open off loopback with one', () => {
    const closed = new DashboardAuth(() => undefined, Date.now, () => false);
    expect(closed.closed).toBe(true);
    expect(closed.allows(undefined)).toBe(false);
    const gated = new DashboardAuth(() => 's3cret-token', Date.now, () => false);
    expect(gated.closed).toBe(false);
    expect(gated.allows(`certfleet_session=${gated.session()}`)).toBe(true);
  });

  it('accepts the token only, and its session never holds the token', () => {
    const auth = new DashboardAuth(() => 's3cret-token');
    expect(auth.accepts('s3cret-token')).toBe(true);
    expect(auth.accepts('s3cret-toke')).toBe(false);
    expect(auth.accepts('')).toBe(false);
    const s = auth.session();
    expect(s).not.toContain('s3cret');
    expect(auth.allows(`a=b; certfleet_session=${s}`)).toBe(true);
    expect(auth.allows(undefined)).toBe(false);
    expect(auth.allows('certfleet_session=s3cret-token')).toBe(false);
  });

  it('refuses a tampered, expired, foreign-process or old-token session', () => {
    let now = 1_000_000;
    let token = 'one';
    const auth = new DashboardAuth(() => token, () => now);
    const s = auth.session();
    const [exp, mac] = s.split('.') as [string, string];
    expect(auth.allows(`certfleet_session=${Number(exp) + 1}.${mac}`)).toBe(false);
    expect(auth.allows(`certfleet_session=${exp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    // Every other spelling of the last character (its two unused bits included) is refused.
    const last = mac.at(-1)!;
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (c !== last) expect(auth.allows(`certfleet_session=${exp}.${mac.slice(0, -1)}${c}`), c).toBe(false);
    }
    expect(new DashboardAuth(() => 'one', () => now).allows(`certfleet_session=${s}`)).toBe(false);
    now += 12 * 3_600_000;
    expect(auth.allows(`certfleet_session=${s}`)).toBe(false);
    now -= 1;
    expect(auth.allows(`certfleet_session=${s}`)).toBe(true);
    token = 'two';
    expect(auth.allows(`certfleet_session=${s}`)).toBe(false);
  });

  it('writes an HttpOnly, SameSite=Strict cookie for the whole site, Secure over TLS', () => {
    expect(sessionCookie('v', false)).toBe('certfleet_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200');
    expect(sessionCookie('v', true)).toMatch(/; Secure$/);
    expect(cookieValue(' x=1 ;certfleet_session=abc', 'certfleet_session')).toBe('abc');
  });
});
