import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answer, failure, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { CLOUD_DNS_SCOPE, MetadataTokenSource, parseServiceAccountKey, ServiceAccountTokenSource, TOKEN_RENEW_BEFORE_MS } from './google-auth.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const key = { client_email: 'dns@proj-1.iam.gserviceaccount.com', private_key: pem, private_key_id: 'kid-1', project_id: 'proj-1', token_uri: 'https://oauth2.example.test/token' };
const signal = () => AbortSignal.timeout(10_000);
const tokenAnswer = (token: string, expiresIn = 3600) => answer(200, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn }));

describe('ServiceAccountTokenSource', () => {
  it('posts an RS256 JWT assertion for the Cloud DNS scope, signed with the key', async () => {
    const { fetch, calls } = scriptedFetch([tokenAnswer('tok-1')]);
    const src = new ServiceAccountTokenSource(key, { label: 'Google Cloud DNS provider gc', fetch, now: () => 1_700_000_000_000 });
    expect(await src.token(signal())).toBe('tok-1');
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'https://oauth2.example.test/token', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const form = new URLSearchParams(calls[0]!.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [h, c, s] = form.get('assertion')!.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(JSON.parse(Buffer.from(c!, 'base64url').toString())).toEqual({ iss: key.client_email, scope: CLOUD_DNS_SCOPE, aud: key.token_uri, iat: 1_700_000_000, exp: 1_700_003_600 });
    expect(verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s!, 'base64url'))).toBe(true);
  });

  it('keeps the token until shortly before it expires, then fetches a new one; concurrent callers share one fetch', async () => {
    let now = 1_700_000_000_000;
    const { fetch, calls } = scriptedFetch([tokenAnswer('tok-1'), tokenAnswer('tok-2')]);
    const src = new ServiceAccountTokenSource(key, { label: 'gc', fetch, now: () => now });
    expect(await Promise.all([src.token(signal()), src.token(signal())])).toEqual(['tok-1', 'tok-1']);
    now += 3600_000 - TOKEN_RENEW_BEFORE_MS - 1;
    expect(await src.token(signal())).toBe('tok-1');
    expect(calls).toHaveLength(1);
    now += 1;
    expect(await src.token(signal())).toBe('tok-2');
    expect(calls).toHaveLength(2);
  });

  it('a refused assertion (400 invalid_grant) is DNS_AUTH naming the service account, the key never in it', async () => {
    const { fetch } = scriptedFetch([answer(400, JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }))]);
    const err = await failure(new ServiceAccountTokenSource(key, { label: 'Google Cloud DNS provider gc', fetch, now: Date.now }).token(signal()));
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: 'Google Cloud DNS provider gc: POST /token: credentials refused (HTTP 400: invalid_grant Invalid JWT Signature.); the service account dns@proj-1.iam.gserviceaccount.com or its key may be disabled, deleted or of another project' });
    expect(err.message).not.toContain(pem.split('\n')[1]);
  });

  it('a key that is not a service-account key: the field that is missing, never the key', () => {
    expect(() => parseServiceAccountKey('{"type":"authorized_user","refresh_token":"rt-secret"}', 'gc')).toThrow('gc: service_account_key.client_email: expected a string (is it a service-account key, type "service_account"?)');
    expect(() => parseServiceAccountKey('not json rt-secret', 'gc')).toThrow(/^gc: service_account_key is not JSON/);
    expect(() => new ServiceAccountTokenSource({ ...key, private_key: 'nope' }, { label: 'gc', now: Date.now })).toThrow('gc: service_account_key.private_key: expected a PEM private key');
  });
});

describe('MetadataTokenSource', () => {
  it('asks the metadata server with Metadata-Flavor: Google, and caches the token like a key\'s', async () => {
    let now = 0;
    const { fetch, calls } = scriptedFetch([tokenAnswer('meta-1', 600), tokenAnswer('meta-2', 600)]);
    const src = new MetadataTokenSource({ label: 'gc', metadataUrl: 'http://metadata.test/computeMetadata/v1', fetch, now: () => now });
    expect(await src.token(signal())).toBe('meta-1');
    expect(calls[0]).toMatchObject({ method: 'GET', url: 'http://metadata.test/computeMetadata/v1/instance/service-accounts/default/token', headers: { 'metadata-flavor': 'Google' } });
    now += 600_000 - TOKEN_RENEW_BEFORE_MS - 1;
    expect(await src.token(signal())).toBe('meta-1');
    now += 1;
    expect(await src.token(signal())).toBe('meta-2');
  });
});
