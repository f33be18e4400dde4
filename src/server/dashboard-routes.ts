import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { sessionCookie, type DashboardAuth } from './dashboard-auth.js';
import { DASHBOARD_CSS } from './dashboard-css.js';
import { certificatePage, loginPage, messagePage, overviewPage } from './dashboard-pages.js';
import type { DashboardSource } from './dashboard-view.js';

/**
 * No script at all, styles only from /dashboard.css, images only from here or data: URLs, no
 * framing, forms only back to this origin.
 */
export const DASHBOARD_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it a browser posts the login form with `Origin: null`, and the
  // origin check below could not tell this dashboard's form from anyone's.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
} as const;

/** A login form holds one token: anything longer is not one. */
const MAX_LOGIN_BODY = 4096;
const READ_TIMEOUT_MS = 10_000;

export type DashboardHandler = (req: IncomingMessage, res: ServerResponse, route: string) => Promise<void>;

/**
 * The dashboard's routes: `/` (table, timeline, events), `/certificates/<name>`,
 * `/dashboard.css`, `/login`. Read-only: GET and HEAD, and POST only to /login.
 */
export function dashboardHandler(source: DashboardSource, auth: DashboardAuth): DashboardHandler {
  return async (req, res, route) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers }).end(req.method === 'HEAD' ? undefined : body);
    };
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (route === '/login' && req.method === 'POST') return login(req, auth, send);
    if (!read) return send(405, messagePage('Method not allowed', 'This dashboard is read-only.'), { allow: route === '/login' ? 'GET, HEAD, POST' : 'GET, HEAD' });
    if (route === '/dashboard.css') return send(200, DASHBOARD_CSS, { 'content-type': 'text/css; charset=utf-8' });
    if (auth.closed) return send(403, messagePage('Dashboard closed', 'This listener is not loopback-only and server.token is not set: set server.token_file to a file holding a long random token (openssl rand -base64 32) to open the dashboard here.'));
    if (route === '/login') return send(200, loginPage(false));
    if (!auth.allows(req.headers.cookie)) return send(303, '', { location: '/login' });
    const signal = AbortSignal.timeout(READ_TIMEOUT_MS);
    if (route === '/') {
      const rows = await source.rows(signal);
      return send(200, overviewPage(rows, source.events(), source.now()));
    }
    const m = /^\/certificates\/([^/]+)$/.exec(route);
    const name = m ? safeDecode(m[1]!) : undefined;
    const detail = name === undefined ? undefined : await source.detail(name, signal);
    if (!detail) return send(404, messagePage('Not found', 'No such page or certificate.'));
    return send(200, certificatePage(detail, source.now()));
  };
}

async function login(req: IncomingMessage, auth: DashboardAuth, send: (status: number, body: string, headers?: Record<string, string>) => void): Promise<void> {
  // A form posted from another site (login CSRF): browsers send Origin with every POST.
  const origin = req.headers.origin;
  if (origin !== undefined && hostOf(origin) !== req.headers.host) return send(403, messagePage('Forbidden', 'Sign in from the dashboard itself.'));
  const body = await readBody(req, MAX_LOGIN_BODY);
  const token = body === undefined ? undefined : new URLSearchParams(body).get('token');
  if (!auth.required || token === undefined || token === null || !auth.accepts(token)) return send(401, loginPage(true));
  const secure = (req.socket as Partial<TLSSocket>).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
  send(303, '', { location: '/', 'set-cookie': sessionCookie(auth.session(), secure) });
}

/** The request body as text, or undefined when it is longer than `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
