import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../http/http-pool.js';
import { checkAuthorization, readCertificateChain, readJsonObject, requireLocation } from './acme-answer.js';

function answer(status: number, headers: Record<string, string>, body: string): HttpResponse {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, body, url: 'https://ca.test/x', headers: { get: (n) => lower[n.toLowerCase()] ?? null, entries: () => Object.entries(lower) } };
}

describe('reading CA answers', () => {
  it('accepts JSON under application/json (with parameters), a +json type, or no content type', () => {
    expect(readJsonObject('r', answer(200, { 'Content-Type': 'application/json; charset=utf-8' }, '{"a":1}'))).toEqual({ a: 1 });
    expect(readJsonObject('r', answer(200, { 'content-type': 'application/problem+json' }, '{"a":1}'))).toEqual({ a: 1 });
    expect(readJsonObject('r', answer(200, {}, '{"a":1}'))).toEqual({ a: 1 });
  });

  it('refuses a list, an empty body, and says which', () => {
    expect(() => readJsonObject('order', answer(200, { 'content-type': 'application/json' }, '[1]'))).toThrow('order: the CA answered 200 with JSON that is not an object (application/json, 3 bytes) at https://ca.test/x');
    expect(() => readJsonObject('order', answer(200, {}, ''))).toThrow('order: the CA answered 200 with a body that is not JSON (no content type, 0 bytes, empty) at https://ca.test/x');
  });

  it('names the field path inside an authorization', () => {
    const doc = { status: 'pending', identifier: { type: 'dns', value: 'a.test' }, challenges: [{ type: 'dns-01', url: 'https://ca.test/c', status: 'pending' }] };
    const res = answer(200, {}, JSON.stringify(doc));
    expect(() => checkAuthorization('authorization', res, doc)).toThrow('authorization: the CA answered 200 with JSON whose challenges[0].token is missing (expected a non-empty string) at https://ca.test/x');
    expect(() => checkAuthorization('authorization', res, { ...doc, status: 'sleeping' })).toThrow('whose status is "sleeping" (expected one of pending, valid, invalid, deactivated, expired, revoked)');
  });

  it('resolves a relative Location; takes a PEM chain, refuses HTML', () => {
    expect(requireLocation('newOrder', answer(201, { location: '/order/7' }, '{}'))).toBe('https://ca.test/order/7');
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(readCertificateChain('certificate', answer(200, {}, pem + pem))).toBe(pem + pem);
    expect(() => readCertificateChain('certificate', answer(200, { 'content-type': 'text/html' }, '<html></html>'))).toThrow('certificate: the CA answered 200 with a body that is not a PEM certificate chain (text/html, 13 bytes) at https://ca.test/x');
  });
});
