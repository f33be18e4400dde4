import type { RecordedInteraction } from './cassette.js';

/** A request a provider made (to its fake), as the fake saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as received (`/v2/domains/example.com/records?page=2`). */
  url: string;
  body: string;
}

export interface ShapeOptions {
  /**
   * Path segments that are names rather than words of the API, beyond what the default treats as
   * one (anything with a digit, a dot, an '@' or 24+ characters, except API versions): a recorded zone or project name
   * such as `lexicon-test`, and the test's own.
   */
  isVariable?: (segment: string) => boolean;
  /** Body keys that are names, not fields (Google's rrset names, keys that are record names …). */
  ignoreBodyKeys?: (key: string) => boolean;
  /** The recorded base path to compare against when the fake serves under another one. */
  recordedPrefix?: string;
}

/**
 * The ways the requests a provider made contradict the recorded traffic of the real API: no
 * recorded request with the same method and path shape, a query key never recorded for that
 * shape, or a body field never recorded for it. An empty list means every request has a shape
 * the real API was seen to accept (or at least to answer).
 */
export function shapeContradictions(recorded: RecordedInteraction[], seen: SeenRequest[], opts: ShapeOptions = {}): string[] {
  // API versions (v4, 2013-04-01) are words of the API, though they have digits.
  const version = (s: string) => /^v\d+(\.\d+)?$/.test(s) || /^\d{4}-\d\d-\d\d$/.test(s);
  const variable = (s: string) => !version(s) && (/[0-9.@]/.test(s) || s.length >= 24 || (opts.isVariable?.(s) ?? false));
  const shape = (path: string) => path.split('/').filter(Boolean).map((s) => (variable(decodeURIComponent(s)) ? '*' : s)).join('/');
  const strip = (path: string) => (opts.recordedPrefix && path.startsWith(opts.recordedPrefix) ? path.slice(opts.recordedPrefix.length) : path);
  const byShape = new Map<string, { query: Set<string>; body: Set<string>; bodies: number }>();
  for (const r of recorded) {
    const k = `${r.method} ${shape(strip(r.url.pathname))}`;
    const entry = byShape.get(k) ?? { query: new Set(), body: new Set(), bodies: 0 };
    for (const q of r.url.searchParams.keys()) entry.query.add(q);
    const keys = bodyKeys(r.requestBody, r.requestHeaders['content-type']);
    if (keys) entry.bodies++;
    for (const b of keys ?? []) entry.body.add(b);
    byShape.set(k, entry);
  }
  const problems = new Set<string>();
  for (const s of seen) {
    const url = new URL(s.url, 'http://fake');
    const k = `${s.method.toUpperCase()} ${shape(url.pathname)}`;
    const rec = byShape.get(k);
    if (!rec) {
      problems.add(`${k}: no recorded request has this method and path`);
      continue;
    }
    for (const q of url.searchParams.keys()) if (!rec.query.has(q)) problems.add(`${k}: query key ${q} was never recorded (recorded: ${[...rec.query].join(', ') || 'none'})`);
    const keys = bodyKeys(s.body, undefined) ?? [];
    if (keys.length && rec.bodies === 0) problems.add(`${k}: sends a body, but the recorded requests had none`);
    else for (const b of keys) if (!rec.body.has(b) && !(opts.ignoreBodyKeys?.(b) ?? false)) problems.add(`${k}: body field ${b} was never recorded (recorded: ${[...rec.body].join(', ')})`);
  }
  return [...problems];
}

/**
 * The field paths of a body: JSON keys as dotted paths (array items as `[]`), form keys, or XML
 * element names. Undefined for an empty body.
 */
export function bodyKeys(body: string, contentType: string | undefined): string[] | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      const out = new Set<string>();
      walk(JSON.parse(text), '', out);
      return [...out];
    } catch {
      // not JSON after all: fall through
    }
  }
  if (text.startsWith('<')) return [...new Set([...text.matchAll(/<([A-Za-z_][\w.-]*)[\s>/]/g)].map((m) => m[1]!))];
  if (contentType?.includes('x-www-form-urlencoded') || /^[\w.%-]+=/.test(text)) return [...new URLSearchParams(text).keys()];
  return ['(text)'];
}

function walk(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const item of v) walk(item, `${prefix}[]`, out);
    return;
  }
  if (v === null || typeof v !== 'object') {
    if (prefix) out.add(prefix);
    return;
  }
  for (const [k, child] of Object.entries(v)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    walk(child, p, out);
  }
}
