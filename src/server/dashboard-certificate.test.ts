import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChain } from './dashboard-certificate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'certfleet-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function selfSigned(file: string, key: string[], subj: string, san?: string): string {
  execFileSync('openssl', ['req', '-x509', '-newkey', ...key, '-nodes', '-keyout', path.join(dir, `${file}.key`), '-out', path.join(dir, `${file}.pem`), '-days', '30', '-subj', subj, ...(san ? ['-addext', `subjectAltName=${san}`] : [])], { stdio: 'ignore' });
  return readFileSync(path.join(dir, `${file}.pem`), 'utf8');
}

describe('parseChain', () => {
  it('reads every certificate of a chain, leaf first: names, issuer, serial, validity, SANs, key type', () => {
    const leaf = selfSigned('leaf', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], '/CN=a.example.test/O=Example', 'DNS:a.example.test,DNS:*.a.example.test');
    const ca = selfSigned('ca', ['rsa:2048'], '/CN=Test CA');
    const chain = parseChain(`${leaf}\n${ca}`);
    expect(chain).toHaveLength(2);
    expect(chain[0]).toMatchObject({ subject: 'CN=a.example.test, O=Example', issuer: 'CN=a.example.test, O=Example', sans: ['a.example.test', '*.a.example.test'], keyType: 'ECDSA secp384r1' });
    expect(chain[0]!.serial).toMatch(/^[0-9A-F]+$/);
    expect(Date.parse(chain[0]!.notAfter) - Date.parse(chain[0]!.notBefore)).toBe(30 * 86_400_000);
    expect(chain[1]).toMatchObject({ subject: 'CN=Test CA', sans: [], keyType: 'RSA 2048' });
  });

  it('gives nothing for text without a certificate, and throws on a damaged one', () => {
    expect(parseChain('')).toEqual([]);
    expect(() => parseChain('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow();
  });
});
