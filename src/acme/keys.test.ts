import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCsr } from './csr.js';
import { assertKeyType, generatePrivateKey, keyTypeOf, KEY_TYPES } from './keys.js';

describe('keys and CSRs', () => {
  it.each(KEY_TYPES.filter((t) => t !== 'rsa-4096' && t !== 'rsa-3072'))('%s: CSR carries every domain as a SAN and verifies', async (type) => {
    const key = await generatePrivateKey(type);
    expect(keyTypeOf(key)).toBe(type);
    const der = await createCsr(key, ['example.test', '*.example.test']);
    const csr = new x509.Pkcs10CertificateRequest(der);
    expect(csr.subject).toBe('CN=example.test');
    const raw = csr.getExtension('2.5.29.17');
    const san = new x509.SubjectAlternativeNameExtension(raw!.rawData);
    expect(san.names.items.map((n) => n.value)).toEqual(['example.test', '*.example.test']);
    expect(await csr.verify()).toBe(true);
  });

  it('openssl verifies the CSR; a first name over 64 characters is left out of the subject, kept as a SAN', async () => {
    const long = `${'a'.repeat(60)}.example.test`;
    const der = await createCsr(await generatePrivateKey('ecdsa-p256'), [long, 'b.example.test']);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    const out = execFileSync('openssl', ['req', '-verify', '-noout', '-text'], { input: pem, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(out).toContain(`DNS:${long}, DNS:b.example.test`);
    expect(out).toMatch(/Subject:\s*\n/);
    expect(new x509.Pkcs10CertificateRequest(der).subject).toBe('');
  });

  it('rejects an unknown key type with the list of valid ones', () => {
    expect(() => assertKeyType('ed25519')).toThrow(/unknown key type "ed25519": expected one of ecdsa-p256/);
  });
});
