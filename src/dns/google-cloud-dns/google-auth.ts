import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { CertfleetError } from '../../errors.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ProviderHttp } from '../provider-http.js';
import { GOOGLE_TOKEN_URL } from './google-cloud-dns-options.js';

/** Read-write access to Cloud DNS, and nothing else. */
export const CLOUD_DNS_SCOPE = 'https://www.googleapis.com/auth/ndev.clouddns.readwrite';
/** A token is renewed this long before it expires, so that no request goes out with one about to lapse. */
export const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;

/** An OAuth access token source: a service-account key or the metadata server. */
export interface AccessTokenSource {
  token(signal: AbortSignal): Promise<string>;
  /** The token in use, for scrubbing from messages. */
  secrets(): string[];
}

interface TokenAnswer { access_token: string; expires_in: number; token_type?: string }

/** The fields of a service-account JSON key that matter here. */
export interface ServiceAccountKey { client_email: string; private_key: string; private_key_id?: string; project_id?: string; token_uri?: string }

/** Parses a service-account key, saying which field is missing (never echoing the key). */
export function parseServiceAccountKey(text: string, where: string): ServiceAccountKey {
  let key: Partial<ServiceAccountKey> & { type?: string };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    throw new CertfleetError('CONFIG_INVALID', `${where}: service_account_key is not JSON (expected the key file Google Cloud gives for a service account)`);
  }
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') throw new CertfleetError('CONFIG_INVALID', `${where}: service_account_key.${field}: expected a string (is it a service-account key, type "service_account"?)`);
  }
  return key as ServiceAccountKey;
}

/** Caches one token until shortly before it expires; concurrent callers share one fetch. */
class CachedToken {
  private current?: { token: string; renewAt: number };
  private pending: Promise<string> | undefined;

  constructor(private readonly fetchToken: (signal: AbortSignal) => Promise<TokenAnswer>, private readonly now: () => number) {}

  get(signal: AbortSignal): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return Promise.resolve(this.current.token);
    this.pending ??= this.fetchToken(signal).then((a) => {
      this.current = { token: a.access_token, renewAt: this.now() + a.expires_in * 1000 - TOKEN_RENEW_BEFORE_MS };
      return a.access_token;
    }).finally(() => { this.pending = undefined; });
    return this.pending;
  }

  secrets(): string[] {
    return this.current ? [this.current.token] : [];
  }
}

function checkAnswer(a: Partial<TokenAnswer>, label: string, from: string): TokenAnswer {
  if (typeof a.access_token !== 'string' || typeof a.expires_in !== 'number') throw new CertfleetError('DNS_AUTH', `${label}: ${from} answered without access_token and expires_in`);
  return a as TokenAnswer;
}

/** A service account's token: an RS256-signed JWT assertion exchanged at the token endpoint (RFC 7523). */
export class ServiceAccountTokenSource implements AccessTokenSource {
  private readonly http: ProviderHttp;
  private readonly privateKey: KeyObject;
  private readonly cache: CachedToken;
  private readonly tokenUrl: string;

  constructor(private readonly key: ServiceAccountKey, private readonly opts: { label: string; tokenUrl?: string; fetch?: FetchLike; now: () => number }) {
    this.tokenUrl = opts.tokenUrl ?? key.token_uri ?? GOOGLE_TOKEN_URL;
    try {
      this.privateKey = createPrivateKey(key.private_key);
    } catch {
      throw new CertfleetError('CONFIG_INVALID', `${opts.label}: service_account_key.private_key: expected a PEM private key`);
    }
    this.http = new ProviderHttp({
      label: opts.label, baseUrl: new URL(this.tokenUrl).origin, ...(opts.fetch ? { fetch: opts.fetch } : {}),
      secrets: () => [key.private_key, ...this.cache.secrets()],
      authHint: `the service account ${key.client_email} or its key may be disabled, deleted or of another project`,
      // A refused assertion is a 400 (invalid_grant), not a 401: it is the credentials all the same.
      authRefused: (status) => status === 400,
      errorDetail: oauthError,
    });
    this.cache = new CachedToken((signal) => this.exchange(signal), opts.now);
  }

  token(signal: AbortSignal): Promise<string> {
    return this.cache.get(signal);
  }

  secrets(): string[] {
    return [this.key.private_key, ...this.cache.secrets()];
  }

  /** The signed assertion: valid for an hour, for the Cloud DNS scope only. */
  assertion(): string {
    const iat = Math.floor(this.opts.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(this.key.private_key_id ? { kid: this.key.private_key_id } : {}) };
    const claims = { iss: this.key.client_email, scope: CLOUD_DNS_SCOPE, aud: this.tokenUrl, iat, exp: iat + 3600 };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }

  private async exchange(signal: AbortSignal): Promise<TokenAnswer> {
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: this.assertion() }).toString();
    const res = await this.http.request('POST', new URL(this.tokenUrl).pathname, { signal, raw: { body, contentType: 'application/x-www-form-urlencoded' } });
    return checkAnswer(res.json<Partial<TokenAnswer>>(), this.opts.label, 'the token endpoint');
  }
}

/** The token of the VM's or pod's service account (GCE, GKE workload identity), from the metadata server. */
export class MetadataTokenSource implements AccessTokenSource {
  private readonly http: ProviderHttp;
  private readonly cache: CachedToken;

  constructor(private readonly opts: { label: string; metadataUrl: string; fetch?: FetchLike; now: () => number }) {
    this.http = new ProviderHttp({
      label: opts.label, baseUrl: opts.metadataUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}), secrets: () => this.cache.secrets(),
      authHint: 'the metadata server authRefused: is a service account attached to the VM, or workload identity set up for the pod?',
    });
    this.cache = new CachedToken(async (signal) => checkAnswer(
      (await this.http.request('GET', '/instance/service-accounts/default/token', { signal, headers: { 'metadata-flavor': 'Google' } })).json<Partial<TokenAnswer>>(),
      opts.label, 'the metadata server',
    ), opts.now);
  }

  token(signal: AbortSignal): Promise<string> {
    return this.cache.get(signal);
  }

  secrets(): string[] {
    return this.cache.secrets();
  }

  /** The project the VM or pod runs in. */
  async project(signal: AbortSignal): Promise<string> {
    return (await this.http.request('GET', '/project/project-id', { signal, headers: { 'metadata-flavor': 'Google', accept: 'text/plain' } })).text.trim();
  }
}

function base64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** `invalid_grant Invalid JWT Signature.` from an OAuth error body (RFC 6749 5.2). */
function oauthError(_status: number, body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const parts = [j.error, j.error_description].filter((p): p is string => typeof p === 'string');
    return parts.length ? parts.join(' ') : undefined;
  } catch {
    return undefined;
  }
}
