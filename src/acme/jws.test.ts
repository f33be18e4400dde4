import { createPublicKey, generateKeyPairSync, verify, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { b64u, dns01TxtValue, eabJws, jwkThumbprint, publicJwk, signJws } from './jws.js';

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
