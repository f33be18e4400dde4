import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { AwsCredentialChain, type AwsCredentialOptions } from './route53-credentials.js';

const signal = () => AbortSignal.timeout(5_000);
let home: string;
beforeEach(() => { home = mkdtempSync(join(tmpdir(), 'certfleet-aws-')); });
afterEach(() => rmSync(home, { recursive: true, force: true }));

const chain = (o: Partial<AwsCredentialOptions>) => new AwsCredentialChain({ label: 'Route 53 provider r53', env: {}, home, ...o });
const writeCredentials = (text: string) => {
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'credentials'), text);
};
/** The STS answer shape AWS documents for AssumeRoleWithWebIdentity. */
const stsAnswer = (n: number, expiresInMs: number): ScriptedAnswer => ({
  status: 200, headers: { 'content-type': 'text/xml' },
  body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIATEMP${n}</AccessKeyId><SecretAccessKey>temp-secret-${n}</SecretAccessKey><SessionToken>temp-session-${n}</SessionToken><Expiration>${new Date(Date.now() + expiresInMs).toISOString()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
});

describe('AwsCredentialChain: the default sources in the SDK\'s order', () => {
  it('config keys win over the environment, the environment over the shared file', async () => {
    writeCredentials('[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n');
    const env = { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-session' };
    expect(await chain({ accessKeyId: 'AKIACFG', secretAccessKey: 'cfg-secret', env }).get(signal())).toEqual({ accessKeyId: 'AKIACFG', secretAccessKey: 'cfg-secret' });
    expect(await chain({ env }).get(signal())).toEqual({ accessKeyId: 'AKIAENV', secretAccessKey: 'env-secret', sessionToken: 'env-session' });
    expect(await chain({}).get(signal())).toEqual({ accessKeyId: 'AKIAFILE', secretAccessKey: 'file-secret' });
  });

  it('a profile by option or AWS_PROFILE; a named profile that is not there is DNS_AUTH', async () => {
    writeCredentials('# comment\n[default]\naws_access_key_id=AKIADEF\naws_secret_access_key=def\n\n[certfleet]\naws_access_key_id = AKIACF\naws_secret_access_key = cf-secret\naws_session_token = cf-session\n');
    expect(await chain({ profile: 'certfleet' }).get(signal())).toEqual({ accessKeyId: 'AKIACF', secretAccessKey: 'cf-secret', sessionToken: 'cf-session' });
    expect(await chain({ env: { AWS_PROFILE: 'certfleet' } }).get(signal())).toMatchObject({ accessKeyId: 'AKIACF' });
    await expect(chain({ profile: 'missing' }).get(signal())).rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('profile missing in') });
  });

  it('AWS_SHARED_CREDENTIALS_FILE moves the file; nothing anywhere is DNS_AUTH naming every source', async () => {
    const file = join(home, 'elsewhere');
    writeFileSync(file, '[default]\naws_access_key_id = AKIAMOVED\naws_secret_access_key = moved\n');
    expect(await chain({ env: { AWS_SHARED_CREDENTIALS_FILE: file } }).get(signal())).toMatchObject({ accessKeyId: 'AKIAMOVED' });
    await expect(chain({}).get(signal())).rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/no AWS credentials: .*AWS_ACCESS_KEY_ID.*\.aws\/credentials.*AWS_WEB_IDENTITY_TOKEN_FILE/) });
  });

  it('web identity (IRSA): an unsigned AssumeRoleWithWebIdentity, the token file read again at each exchange, keys kept until five minutes before expiry', async () => {
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.first\n');
    const { fetch, calls } = scriptedFetch([stsAnswer(1, 4 * 60_000), stsAnswer(2, 3600_000)]);
    const c = chain({ env: { AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/certfleet', AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: 'eu-central-1' }, fetch });
    // Four minutes left is inside the margin: the next call exchanges again, with the rotated token.
    expect(await c.get(signal())).toEqual({ accessKeyId: 'ASIATEMP1', secretAccessKey: 'temp-secret-1', sessionToken: 'temp-session-1' });
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.second\n');
    expect(await c.get(signal())).toMatchObject({ accessKeyId: 'ASIATEMP2' });
    expect(await c.get(signal())).toMatchObject({ accessKeyId: 'ASIATEMP2' });
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'https://sts.eu-central-1.amazonaws.com/' });
    expect(calls[0]!.headers.authorization).toBeUndefined();
    const form = new URLSearchParams(calls[1]!.body);
    expect(Object.fromEntries(form)).toMatchObject({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/certfleet', WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.second' });
    expect(c.secrets()).toEqual(expect.arrayContaining(['eyJhbGciOiJSUzI1NiJ9.second', 'temp-secret-2', 'temp-session-2']));
  });

  it('STS refusing the token: an error naming the trust policy, the token in no message', async () => {
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.secret-jwt');
    const { fetch } = scriptedFetch([{ status: 403, body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity (token eyJhbGciOiJSUzI1NiJ9.secret-jwt)</Message></Error></ErrorResponse>' }]);
    const err = await chain({ env: { AWS_ROLE_ARN: 'arn:aws:iam::1:role/r', AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile }, fetch }).get(signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('must trust this web identity') });
    expect(err.message).not.toContain('secret-jwt');
  });
});
