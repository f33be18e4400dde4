import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors.js';
import { processRedactor, Redactor } from './redaction.js';

describe('Redactor', () => {
  it('replaces the longest secret whole, also JSON-escaped', () => {
    const r = new Redactor();
    r.add(['abcd', 'abcd"efgh', 'xy']);
    expect(r.redact('k=abcd"efgh j="abcd\\"efgh" xy')).toBe('k=[redacted] j="[redacted]" xy');
  });
});

describe('errorMessage', () => {
  it('redacts every secret the process knows, so persisted and forwarded errors carry none', () => {
    processRedactor.add(['pdns-key-0123456789abcdef']);
    const echoed = new Error('PowerDNS answered 401: {"headers":{"X-API-Key":"pdns-key-0123456789abcdef"}}');
    expect(errorMessage(echoed)).not.toContain('pdns-key-0123456789abcdef');
    expect(errorMessage(echoed)).toContain('[redacted]');
  });
});
