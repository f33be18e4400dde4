import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'certfleet_session';
const SESSION_MS = 12 * 3_600_000;

/**
 * The dashboard's token gate. The cookie holds `<expiry>.<HMAC(process key, expiry, token)>`,
 * never the token: it cannot be turned back into the token, it ends after 12 hours, and it
 * stops working when the token changes (a reload) or the daemon restarts (a new process key).
 * Comparisons are constant-time over equal-length digests.
 */
export class DashboardAuth {
  private readonly key = randomBytes(32);

  /**
   * `token` is read at every request, so a reload that changes it applies at once. `loopback`:
   * whether the listener is loopback-only; off loopback, no token means no dashboard at all
   * (probes and Prometheus keep /healthz and /metrics).
   */
  constructor(private readonly token: () => string | undefined, private readonly now: () => number = Date.now, private readonly loopback: () => boolean = () => true) {}

  get required(): boolean {
    return Boolean(this.token());
  }

  /** No token on a listener off loopback: the dashboard is not served. */
  get closed(): boolean {
    return !this.token() && !this.loopback();
  }

  /** Whether a submitted token is the configured one. */
  accepts(submitted: string): boolean {
    const token = this.token();
    if (!token) return false;
    return timingSafeEqual(this.mac('login', submitted), this.mac('login', token));
  }

  /** A new session value for the configured token. */
  session(): string {
    const token = this.token();
    if (!token) throw new Error('no dashboard token is configured');
    const expires = String(this.now() + SESSION_MS);
    return `${expires}.${this.mac(expires, token).toString('base64url')}`;
  }

  /** Whether a request's Cookie header carries a current session. */
  allows(cookieHeader: string | undefined): boolean {
    const token = this.token();
    if (!token) return !this.closed;
    const value = cookieValue(cookieHeader, SESSION_COOKIE);
    const m = value ? /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
    if (!m || Number(m[1]) <= this.now()) return false;
    // Compared as text, not decoded: base64url's last character carries two unused bits, and a
    // decoded comparison would take four spellings of one session (43 characters both: equal lengths).
    return timingSafeEqual(Buffer.from(m[2]!), Buffer.from(this.mac(m[1]!, token).toString('base64url')));
  }

  private mac(label: string, value: string): Buffer {
    return createHmac('sha256', this.key).update(label).update('\0').update(value).digest();
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie header of a new session; Secure when the page was reached over TLS. */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure ? '; Secure' : ''}`;
}
