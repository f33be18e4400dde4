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

describe('Redactor.addLater', () => {
  it('walks for its secrets only when something is first redacted, and then redacts them', () => {
    const r = new Redactor();
    let walks = 0;
    r.addLater(() => { walks++; return ['hunter22']; });
    expect(walks).toBe(0);
    expect(r.redact('the key is hunter22')).toBe('the key is [redacted]');
    expect(r.redact('hunter22 again')).toBe('[redacted] again');
    expect(walks).toBe(1);
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
