import type { KeyObject } from 'node:crypto';
import { sleep } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { HttpPool, type HttpResponse } from '../http/http-pool.js';
import type { Logger } from '../log.js';
import { eabJws, jwkThumbprint, jwsAlgorithm, publicJwk, signJws, type Jwk } from './jws.js';
import { AcmeProblem, parseProblem } from './problem.js';
import { parseRenewalInfo, type RenewalInfo } from './renewal-info.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay, type RetryPolicy } from './retry-policy.js';

export interface AcmeDirectory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert: string;
  keyChange?: string;
  renewalInfo?: string;
  meta?: { externalAccountRequired?: boolean; profiles?: Record<string, string>; termsOfService?: string };
}

export interface AcmeIdentifier { type: 'dns'; value: string }

export interface AcmeOrder {
  url: string;
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
  identifiers: AcmeIdentifier[];
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: unknown;
}

export interface AcmeChallenge { type: string; url: string; token: string; status: string; error?: unknown }

export interface AcmeAuthorization {
  url: string;
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
  identifier: AcmeIdentifier;
  wildcard?: boolean;
  challenges: AcmeChallenge[];
}

export interface AcmeClientOptions {
  directoryUrl: string;
  accountKey: KeyObject;
  /** PEM bundle trusted for the ACME server's own TLS (a private CA, or pebble in tests). */
  caBundle?: string;
  retry?: RetryPolicy;
  /** Called once per HTTP request: benchmarks and metrics count through it. */
  onRequest?: (info: { method: string; url: string; status: number; ms: number }) => void;
  /** Where a capped Retry-After is reported. */
  log?: Pick<Logger, 'warn'>;
  /** What this CA took last time (from `pace`, kept in the store), so polling starts from it. */
  pace?: Partial<AcmePace>;
}

/** How long a CA took to validate and to issue, in ms: where polling starts. */
export type AcmePace = Record<PollKind, number>;

type AcmeResponse = HttpResponse;
export type PollKind = 'validation' | 'issuance';

const POLL_FIRST_MS = 20;
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 2_000;
const clampPoll = (ms: number) => Math.min(Math.max(ms, POLL_MIN_MS), POLL_MAX_MS);
const jitter = (ms: number) => ms * (0.9 + Math.random() * 0.2);

/**
 * RFC 8555 client: one keep-alive pool per server, a nonce pool fed by every
 * response, retries for badNonce, 429/503 (Retry-After, capped) and 5xx/network
 * errors (exponential backoff, jitter). Every call takes an AbortSignal.
 */
export class AcmeClient {
  readonly directoryUrl: string;
  readonly accountKey: KeyObject;
  readonly thumbprint: string;
  private readonly jwk: Jwk;
  /** Read once: the key's details are a native call, and every request signs. */
  private readonly alg: ReturnType<typeof jwsAlgorithm>;
  private readonly pool: HttpPool;
  private readonly retry: RetryPolicy;
  private readonly onRequest: AcmeClientOptions['onRequest'];
  private readonly log: AcmeClientOptions['log'];
  private readonly nonces: string[] = [];
  private directoryPromise: Promise<AcmeDirectory> | undefined;
  private accountUrl: string | undefined;
  /** How long this CA took to validate and to issue, as last seen: where polling starts. */
  private readonly pollEstimates: AcmePace;

  constructor(opts: AcmeClientOptions) {
    this.directoryUrl = opts.directoryUrl;
    this.accountKey = opts.accountKey;
    this.jwk = publicJwk(opts.accountKey);
    this.alg = jwsAlgorithm(opts.accountKey);
    this.thumbprint = jwkThumbprint(this.jwk);
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.onRequest = opts.onRequest;
    this.log = opts.log;
    const learned = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? clampPoll(n) : POLL_FIRST_MS);
    this.pollEstimates = { validation: learned(opts.pace?.validation), issuance: learned(opts.pace?.issuance) };
    this.pool = new HttpPool({ maxSockets: 16, keepAliveMs: 30_000, ...(opts.caBundle ? { ca: opts.caBundle } : {}) });
  }

  close(): Promise<void> {
    this.pool.close();
    return Promise.resolve();
  }

  /** The CA's pace as learned so far (see AcmeClientOptions.pace). */
  get pace(): AcmePace {
    return { ...this.pollEstimates };
  }

  /** Uses a known account URL (kept in the store) instead of asking newAccount again. */
  useAccount(url: string): void {
    this.accountUrl = url;
  }

  get account(): string | undefined {
    return this.accountUrl;
  }

  directory(signal: AbortSignal): Promise<AcmeDirectory> {
    this.directoryPromise ??= this.fetchDirectory(signal).catch((err: unknown) => {
      this.directoryPromise = undefined;
      throw err;
    });
    return this.directoryPromise;
  }

  private async fetchDirectory(signal: AbortSignal): Promise<AcmeDirectory> {
    const res = await this.http('GET', this.directoryUrl, undefined, signal);
    if (res.status !== 200) throw this.errorFor(res);
    const dir = this.json<AcmeDirectory>(res);
    for (const k of ['newNonce', 'newAccount', 'newOrder', 'revokeCert'] as const) {
      if (typeof dir[k] !== 'string') {
        throw new CertfleetError('ACME_BAD_RESPONSE', `ACME directory ${this.directoryUrl} has no ${k} URL`);
      }
    }
    return dir;
  }

  /** Creates the account, or finds it with `onlyReturnExisting`. */
  async ensureAccount(
    opts: { email?: string; onlyReturnExisting?: boolean; eab?: { kid: string; hmacKey: string } },
    signal: AbortSignal,
  ): Promise<string> {
    if (this.accountUrl) return this.accountUrl;
    const dir = await this.directory(signal);
    const payload: Record<string, unknown> = { termsOfServiceAgreed: true };
    if (opts.email) payload.contact = [`mailto:${opts.email}`];
    if (opts.onlyReturnExisting) payload.onlyReturnExisting = true;
    if (opts.eab) payload.externalAccountBinding = eabJws(this.jwk, opts.eab.kid, opts.eab.hmacKey, dir.newAccount);
    const res = await this.post(dir.newAccount, payload, signal, { useJwk: true });
    const location = res.headers.get('location');
    if (!location) throw new CertfleetError('ACME_BAD_RESPONSE', 'newAccount answer has no Location header');
    this.accountUrl = location;
    return location;
  }

  async newOrder(
    req: { identifiers: AcmeIdentifier[]; profile?: string; replaces?: string },
    signal: AbortSignal,
  ): Promise<AcmeOrder> {
    const dir = await this.directory(signal);
    const payload: Record<string, unknown> = { identifiers: req.identifiers };
    if (req.profile) payload.profile = req.profile;
    if (req.replaces) payload.replaces = req.replaces;
    const res = await this.post(dir.newOrder, payload, signal);
    const url = res.headers.get('location');
    if (!url) throw new CertfleetError('ACME_BAD_RESPONSE', 'newOrder answer has no Location header');
    return { ...this.json<Omit<AcmeOrder, 'url'>>(res), url };
  }

  async getAuthorization(url: string, signal: AbortSignal): Promise<AcmeAuthorization> {
    const res = await this.post(url, undefined, signal);
    return { ...this.json<Omit<AcmeAuthorization, 'url'>>(res), url };
  }

  async respondToChallenge(url: string, signal: AbortSignal): Promise<AcmeChallenge> {
    const res = await this.post(url, {}, signal);
    return this.json<AcmeChallenge>(res);
  }

  /** Polls an authorization until it leaves `pending`. */
  async waitForAuthorization(url: string, signal: AbortSignal): Promise<AcmeAuthorization> {
    return this.poll('validation', url, signal, (a: AcmeAuthorization) => a.status !== 'pending', (r) => ({ ...this.json<Omit<AcmeAuthorization, 'url'>>(r), url }));
  }

  async finalize(order: AcmeOrder, csrDer: Buffer, signal: AbortSignal): Promise<AcmeOrder> {
    const res = await this.post(order.finalize, { csr: csrDer.toString('base64url') }, signal);
    const next = { ...this.json<Omit<AcmeOrder, 'url'>>(res), url: order.url };
    if (next.status === 'valid' || next.status === 'invalid') return next;
    return this.poll('issuance', order.url, signal, (o: AcmeOrder) => o.status === 'valid' || o.status === 'invalid', (r) => ({ ...this.json<Omit<AcmeOrder, 'url'>>(r), url: order.url }));
  }

  /** Downloads the chain; with `preferredChain`, picks the alternate whose top issuer CN matches. */
  async downloadCertificate(url: string, signal: AbortSignal, preferredChain?: string): Promise<string> {
    const res = await this.post(url, undefined, signal, { accept: 'application/pem-certificate-chain' });
    if (!preferredChain) return res.body;
    const chains = [res.body];
    for (const alt of linkUrls(res.headers.get('link'), 'alternate', url)) {
      chains.push((await this.post(alt, undefined, signal, { accept: 'application/pem-certificate-chain' })).body);
    }
    const { chainMatchesIssuer } = await import('./preferred-chain.js');
    return chains.find((c) => chainMatchesIssuer(c, preferredChain)) ?? res.body;
  }

  /** RFC 8555 §7.6; reason is an RFC 5280 CRLReason code. */
  /**
   * The CA's suggested renewal window for a certificate (RFC 9773), or undefined when the CA
   * does not offer ARI or answers with no usable window. Unauthenticated GET.
   */
  async renewalInfo(certId: string, signal: AbortSignal): Promise<RenewalInfo | undefined> {
    const dir = await this.directory(signal);
    if (!dir.renewalInfo) return undefined;
    const url = `${dir.renewalInfo.replace(/\/$/, '')}/${certId}`;
    for (let attempt = 1; ; attempt++) {
      let res: AcmeResponse;
      try {
        res = await this.http('GET', url, undefined, signal);
      } catch (err) {
        if (attempt >= this.retry.maxAttempts || signal.aborted) throw err;
        await sleep(retryDelay(this.retry, attempt, undefined), signal);
        continue;
      }
      if (res.status === 200) {
        const info = parseRenewalInfo(this.json<unknown>(res));
        if (!info) return undefined;
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        return { ...info, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      const error = this.errorFor(res);
      if (!error.retryable || attempt >= this.retry.maxAttempts) throw error;
      await sleep(retryDelay(this.retry, attempt, this.retryAfter(res)), signal);
    }
  }

  async revoke(certDer: Buffer, reason: number, signal: AbortSignal): Promise<void> {
    const dir = await this.directory(signal);
    await this.post(dir.revokeCert, { certificate: certDer.toString('base64url'), reason }, signal);
  }

  /**
   * Polls until `done`. Without Retry-After the first look comes after what this CA needed the
   * last time (learned per kind: validation or issuance), so a fast CA is asked about once and a
   * loaded one is not asked in vain; later looks double from there, up to 2 s, with ±10 % jitter.
   * Retry-After is honoured, capped by the retry policy. Documented in docs/errors.md.
   */
  private async poll<T>(kind: PollKind, url: string, signal: AbortSignal, done: (v: T) => boolean, parse: (r: AcmeResponse) => T): Promise<T> {
    const started = performance.now();
    const estimate = this.pollEstimates[kind];
    let wait = estimate;
    let lastMiss = 0;
    for (let looks = 1; ; looks++) {
      await sleep(jitter(wait), signal);
      const res = await this.post(url, undefined, signal);
      const value = parse(res);
      const elapsed = performance.now() - started;
      if (done(value)) {
        // Done at the first look: the CA may be faster still, so look a little sooner next time.
        // Otherwise it finished between the last miss and now: aim at the middle.
        this.pollEstimates[kind] = clampPoll(looks === 1 ? estimate * 0.75 : (lastMiss + elapsed) / 2);
        return value;
      }
      lastMiss = elapsed;
      wait = this.retryAfter(res) ?? Math.min(Math.max(wait, POLL_MIN_MS) * 2, POLL_MAX_MS);
    }
  }

  /** Signed POST (or POST-as-GET when payload is undefined) with the retry policy. */
  private async post(
    url: string,
    payload: unknown,
    signal: AbortSignal,
    opts: { useJwk?: boolean; accept?: string } = {},
  ): Promise<AcmeResponse> {
    let badNonces = 0;
    for (let attempt = 1; ; attempt++) {
      const nonce = await this.takeNonce(signal);
      const header = opts.useJwk || !this.accountUrl
        ? { url, nonce, jwk: this.jwk }
        : { url, nonce, kid: this.accountUrl };
      const body = JSON.stringify(signJws(this.accountKey, header, payload, this.alg));
      let res: AcmeResponse;
      try {
        res = await this.http('POST', url, body, signal, opts.accept);
      } catch (err) {
        if (attempt >= this.retry.maxAttempts || signal.aborted) throw err;
        await sleep(retryDelay(this.retry, attempt, undefined), signal);
        continue;
      }
      if (res.status < 400) return res;
      const error = this.errorFor(res);
      // badNonce: the answer carried a fresh nonce, so retry at once, on a budget of its own
      // (a CA may reject nonces often; RFC 8555 §6.5 expects clients to retry).
      if (error instanceof AcmeProblem && error.shortType === 'badNonce' && ++badNonces <= this.retry.maxBadNonceRetries) {
        attempt--;
        continue;
      }
      if (!error.retryable || attempt >= this.retry.maxAttempts) throw error;
      await sleep(retryDelay(this.retry, attempt, this.retryAfter(res)), signal);
    }
  }

  private async takeNonce(signal: AbortSignal): Promise<string> {
    const nonce = this.nonces.pop();
    if (nonce) return nonce;
    const dir = await this.directory(signal);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.http('HEAD', dir.newNonce, undefined, signal);
        const fresh = this.nonces.pop();
        if (fresh) return fresh;
        if (res.status >= 500 && attempt < this.retry.maxAttempts) {
          await sleep(retryDelay(this.retry, attempt, this.retryAfter(res)), signal);
          continue;
        }
        throw new CertfleetError('ACME_BAD_RESPONSE', `newNonce at ${dir.newNonce} answered HTTP ${res.status} without Replay-Nonce`, { retryable: false });
      } catch (err) {
        const retryable = err instanceof CertfleetError && err.retryable;
        if (!retryable || attempt >= this.retry.maxAttempts || signal.aborted) throw err;
        await sleep(retryDelay(this.retry, attempt, undefined), signal);
      }
    }
  }

  private async http(method: string, url: string, body: string | undefined, signal: AbortSignal, accept?: string): Promise<AcmeResponse> {
    const started = performance.now();
    let res: HttpResponse;
    try {
      res = await this.pool.request(method, url, {
        signal,
        headers: {
          'user-agent': 'certfleet/0.1',
          ...(body === undefined ? {} : { 'content-type': 'application/jose+json' }),
          ...(accept ? { accept } : {}),
        },
        ...(body === undefined ? {} : { body }),
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new CertfleetError('ACME_UNREACHABLE', `ACME server unreachable at ${url}: ${describeFetchError(err)}`, { retryable: true, cause: err });
    }
    const nonce = res.headers.get('replay-nonce');
    if (nonce) this.nonces.push(nonce);
    this.onRequest?.({ method, url, status: res.status, ms: performance.now() - started });
    return res;
  }

  /** The answer's Retry-After in ms, capped by the retry policy; a cap is logged, as the CA asked for more. */
  private retryAfter(res: AcmeResponse): number | undefined {
    const asked = parseRetryAfter(res.headers.get('retry-after'));
    if (asked === undefined || asked <= this.retry.maxRetryAfterMs) return asked;
    this.log?.warn({ url: res.url, retry_after_ms: asked, waiting_ms: this.retry.maxRetryAfterMs }, 'retry_after_capped');
    return this.retry.maxRetryAfterMs;
  }

  private errorFor(res: AcmeResponse): CertfleetError {
    const problem = parseProblem(res.body);
    if (problem) return new AcmeProblem(problem, res.status, res.url);
    return new CertfleetError(
      'ACME_BAD_RESPONSE',
      `ACME server answered HTTP ${res.status} at ${res.url} with something that is not an ACME problem: ${snippet(res.body)}`,
      { retryable: res.status === 429 || res.status >= 500 },
    );
  }

  private json<T>(res: AcmeResponse): T {
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new CertfleetError('ACME_BAD_RESPONSE', `ACME server answered ${res.url} with something that is not JSON: ${snippet(res.body)}`);
    }
  }
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause ? `${errorMessage(err)} (${errorMessage(cause)})` : errorMessage(err);
}

/** URLs of `Link` header entries with the given rel, resolved against `base`. */
export function linkUrls(header: string | null, rel: string, base: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rels = (m?.[2] ?? '').split(';').map((p) => /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(p)?.[1]).filter((r): r is string => r !== undefined);
    if (m && rels.some((r) => r.split(/\s+/).includes(rel))) out.push(new URL(m[1] ?? '', base).toString());
  }
  return out;
}
