import { describe, expect, it } from 'vitest';
import { CertfleetError } from '../errors.js';
import { ariCertId } from './ari-cert-id.js';
import { parseRenewalInfo } from './renewal-info.js';

// The example certificate of RFC 9773 Appendix A (AKI 69:88:5B:..., serial 00:87:65:43:21).
const RFC_EXAMPLE = `-----BEGIN CERTIFICATE-----
MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt
cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS
BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu
7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf
qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B
yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb
+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK
-----END CERTIFICATE-----`;

describe('ariCertId', () => {
  it('gives the identifier of RFC 9773 Appendix A', () => {
    expect(ariCertId(RFC_EXAMPLE)).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('reads the first certificate of a chain, with CRLF line ends; refuses what is not a certificate with a typed error', () => {
    expect(ariCertId(`${RFC_EXAMPLE.replace(/\n/g, '\r\n')}\r\n${RFC_EXAMPLE.replace('MIIBQzCB', 'MIIBQzCC')}\n`)).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    for (const bad of ['', 'not a pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', RFC_EXAMPLE.replace(/^MIIBQzCB.*$/m, 'MIIBQzCB')]) {
      expect(() => ariCertId(bad)).toThrow(CertfleetError);
    }
  });
});

describe('parseRenewalInfo', () => {
  it('accepts a window and ignores an inverted or malformed one', () => {
    expect(parseRenewalInfo({ suggestedWindow: { start: '2026-01-02T04:00:00Z', end: '2026-01-03T04:00:00Z' }, explanationURL: 'https://ca/why' }))
      .toEqual({ start: Date.parse('2026-01-02T04:00:00Z'), end: Date.parse('2026-01-03T04:00:00Z'), explanationUrl: 'https://ca/why' });
    expect(parseRenewalInfo({ suggestedWindow: { start: '2026-01-03T04:00:00Z', end: '2026-01-02T04:00:00Z' } })).toBeUndefined();
    expect(parseRenewalInfo({ suggestedWindow: { start: 'soon' } })).toBeUndefined();
    expect(parseRenewalInfo(null)).toBeUndefined();
  });
});
