import { createPublicKey, generateKeyPairSync, verify, createHmac, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b64u, dns01TxtValue, eabJws, ecdsaDerToP1363, jwkThumbprint, publicJwk, signJws } from './jws.js';

describe('jwkThumbprint', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('signJws', () => {
  for (const [name, opts, hash] of [
    ['ES256', { namedCurve: 'P-256' }, 'sha256'],
    ['ES384', { namedCurve: 'P-384' }, 'sha384'],
  ] as const) {
    it(`produces a verifiable ${name} signature in P1363 form`, () => {
      const { privateKey } = generateKeyPairSync('ec', opts);
      const jws = signJws(privateKey, { url: 'https://ca/new-order', nonce: 'n1', kid: 'https://ca/acct/1' }, { a: 1 });
      const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString()) as Record<string, string>;
      expect(header).toEqual({ alg: name, url: 'https://ca/new-order', nonce: 'n1', kid: 'https://ca/acct/1' });
      expect(JSON.parse(Buffer.from(jws.payload, 'base64url').toString())).toEqual({ a: 1 });
      const ok = verify(hash, Buffer.from(`${jws.protected}.${jws.payload}`), { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' }, Buffer.from(jws.signature, 'base64url'));
      expect(ok).toBe(true);
    });
  }

  it('signs RS256 and uses an empty payload for POST-as-GET', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jws = signJws(privateKey, { url: 'u', jwk: publicJwk(privateKey) }, undefined);
    expect(jws.payload).toBe('');
    expect(verify('sha256', Buffer.from(`${jws.protected}.`), createPublicKey(privateKey), Buffer.from(jws.signature, 'base64url'))).toBe(true);
  });
});

describe('ecdsaDerToP1363', () => {
  for (const [curve, size] of [['P-256', 32], ['P-384', 48]] as const) {
    it(`gives what Node's ieee-p1363 encoding gives for ${curve}`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const der = sign('sha256', data, privateKey);
        const p1363 = ecdsaDerToP1363(der, size);
        // Node converts back to DER for verify, so a wrong r or s (or padding) fails here.
        expect(p1363).toHaveLength(2 * size);
        expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363)).toBe(true);
      }), { numRuns: 300 });
    });
  }

  it('pads short integers and drops the sign byte', () => {
    // r = 0x01 (one byte), s = 0x00ff (sign byte, then 0xff)
    const der = Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0xff]);
    expect(ecdsaDerToP1363(der, 4).toString('hex')).toBe('00000001' + '000000ff');
  });

  it('refuses what is not a signature of that size', () => {
    expect(() => ecdsaDerToP1363(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 4)).toThrow(/malformed/);
    expect(() => ecdsaDerToP1363(Buffer.from([0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x03, 0x01, 0x02, 0x03]), 2)).toThrow(/malformed/);
    expect(() => ecdsaDerToP1363(Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), 4)).toThrow(/malformed/);
  });
});

describe('eabJws', () => {
  it('MACs the account JWK with the decoded HMAC key', () => {
    const jwk = { crv: 'P-256', kty: 'EC', x: 'x', y: 'y' };
    const key = b64u(Buffer.from('0123456789abcdef0123456789abcdef'));
    const jws = eabJws(jwk, 'kid-1', key, 'https://ca/new-acct');
    expect(JSON.parse(Buffer.from(jws.protected, 'base64url').toString())).toEqual({ alg: 'HS256', kid: 'kid-1', url: 'https://ca/new-acct' });
    const mac = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update(`${jws.protected}.${jws.payload}`).digest('base64url');
    expect(jws.signature).toBe(mac);
  });
});

describe('dns01TxtValue', () => {
  it('hashes the key authorization (RFC 8555 §8.4)', () => {
    // printf 'token.thumb' | openssl dgst -sha256 -binary | base64url
    expect(dns01TxtValue('token', 'thumb')).toBe('lCdftpJCXapaZHkBGIZbcubeKW8RmA0jSG_aZN01zbU');
  });
});
