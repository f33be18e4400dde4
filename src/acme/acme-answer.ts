import { CertfleetError } from '../errors.js';
import type { HttpResponse } from '../http/http-pool.js';

/**
 * Reading a CA's success answers: each reader checks exactly what the client goes on to use and
 * throws one ACME_BAD_RESPONSE naming the request and what was wrong. Such an answer is
 * retryable: a 2xx with a garbage body is what a proxy or load balancer in front of the CA sends
 * while it fails over, and the client's attempt budget bounds the retries.
 */
export function badAnswer(request: string, res: Pick<HttpResponse, 'status' | 'url'>, what: string): CertfleetError {
  return new CertfleetError('ACME_BAD_RESPONSE', `${request}: the CA answered ${res.status} ${what} at ${res.url}`, { retryable: true });
}

/** "text/html, 43 bytes": what a body was, without quoting it. */
export function describeBody(res: Pick<HttpResponse, 'headers' | 'body'>): string {
  const type = res.headers.get('content-type')?.split(';')[0]?.trim();
  return `${type || 'no content type'}, ${Buffer.byteLength(res.body)} bytes`;
}

const isJsonType = (type: string) => {
  const t = type.toLowerCase();
  return t === 'application/json' || (t.startsWith('application/') && t.endsWith('+json'));
};

/** The answer's body as a JSON object; a non-JSON content type, bad JSON or a non-object is refused. */
export function readJsonObject(request: string, res: HttpResponse): Record<string, unknown> {
  const type = res.headers.get('content-type')?.split(';')[0]?.trim();
  if (type && !isJsonType(type)) throw badAnswer(request, res, `with a body that is not JSON (${describeBody(res)})`);
  let doc: unknown;
  try {
    doc = JSON.parse(res.body);
  } catch {
    throw badAnswer(request, res, `with a body that is not JSON (${describeBody(res)}${res.body.trim() === '' ? ', empty' : ', truncated or malformed'})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badAnswer(request, res, `with JSON that is not an object (${describeBody(res)})`);
  return doc as Record<string, unknown>;
}

/** A Location header the client needs (newAccount, newOrder). */
export function requireLocation(request: string, res: HttpResponse): string {
  const location = res.headers.get('location');
  if (!location) throw badAnswer(request, res, 'without a Location header');
  return new URL(location, res.url).toString();
}

type Field = 'string' | 'string[]' | { oneOf: readonly string[] } | 'object[]' | 'identifier';

/** Checks the named fields of `doc`; the first one missing or of the wrong type is named in the error. */
export function requireFields(request: string, res: HttpResponse, doc: Record<string, unknown>, fields: Record<string, Field>, where = ''): void {
  for (const [name, kind] of Object.entries(fields)) {
    const v = doc[name];
    const path = `${where}${name}`;
    const fail = (expected: string) => badAnswer(request, res, `with JSON whose ${path} is ${v === undefined ? 'missing' : JSON.stringify(v).slice(0, 60)} (expected ${expected})`);
    if (kind === 'string') {
      if (typeof v !== 'string' || v === '') throw fail('a non-empty string');
    } else if (kind === 'string[]') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw fail('a list of strings');
    } else if (kind === 'object[]') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) throw fail('a list of objects');
    } else if (kind === 'identifier') {
      const id = v as { type?: unknown; value?: unknown } | undefined;
      if (typeof id !== 'object' || id === null || typeof id.type !== 'string' || typeof id.value !== 'string') throw fail('an identifier {type, value}');
    } else if (typeof v !== 'string' || !kind.oneOf.includes(v)) {
      throw fail(`one of ${kind.oneOf.join(', ')}`);
    }
  }
}

export const ORDER_STATUSES = ['pending', 'ready', 'processing', 'valid', 'invalid'] as const;
export const AUTHORIZATION_STATUSES = ['pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked'] as const;
const CHALLENGE_STATUSES = ['pending', 'processing', 'valid', 'invalid'] as const;

/** An order object (newOrder, finalize, polling): what obtainCertificate reads of it. */
export function checkOrder(request: string, res: HttpResponse, doc: Record<string, unknown>): void {
  requireFields(request, res, doc, { status: { oneOf: ORDER_STATUSES }, authorizations: 'string[]', finalize: 'string' });
  if (doc.status === 'valid') requireFields(request, res, doc, { certificate: 'string' });
}

export function checkChallenge(request: string, res: HttpResponse, doc: Record<string, unknown>, where = ''): void {
  requireFields(request, res, doc, { type: 'string', url: 'string', status: { oneOf: CHALLENGE_STATUSES } }, where);
  if (doc.type === 'dns-01') requireFields(request, res, doc, { token: 'string' }, where);
}

export function checkAuthorization(request: string, res: HttpResponse, doc: Record<string, unknown>): void {
  requireFields(request, res, doc, { status: { oneOf: AUTHORIZATION_STATUSES }, identifier: 'identifier', challenges: 'object[]' });
  (doc.challenges as Record<string, unknown>[]).forEach((c, i) => checkChallenge(request, res, c, `challenges[${i}].`));
}

/** A certificate download: a PEM chain that starts with a certificate (RFC 8555 §7.4.2). */
export function readCertificateChain(request: string, res: HttpResponse): string {
  if (!/^\s*-----BEGIN CERTIFICATE-----[^]*-----END CERTIFICATE-----\s*$/.test(res.body)) {
    throw badAnswer(request, res, `with a body that is not a PEM certificate chain (${describeBody(res)})`);
  }
  return res.body;
}
