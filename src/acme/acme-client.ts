import type { KeyObject } from 'node:crypto';
import { abortable, sleep } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { HttpPool, StaleSocketError, type HttpResponse } from '../http/http-pool.js';
import type { Logger } from '../log.js';
import { eabJws, jwkThumbprint, jwsAlgorithm, publicJwk, signJws, type Jwk } from './jws.js';
import { AcmeProblem, parseProblem } from './problem.js';
import { badAnswer, checkAuthorization, checkChallenge, checkOrder, describeBody, readCertificateChain, readJsonObject, requireFields, requireLocation } from './acme-answer.js';
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
  /** Where a capped Retry-After (warn) and each retry (debug) are reported. */
  log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'debug'>>;
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
 * response, and one retry policy for every request (see exchange): badNonce, 429 and
 * 5xx (Retry-After, capped), network errors, stalls and garbage answers (exponential
 * backoff, jitter). Every call takes an AbortSignal.
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
  private fetchedDirectory: AcmeDirectory | undefined;
  /** The newNonce request in flight, and whose signal it runs on (see takeNonce). */
  private nonceRequest: { promise: Promise<string>; signal: AbortSignal } | undefined;
  /** When a request given a Retry-After may go again, by request (method, URL and payload). */
  private readonly notBefore = new Map<string, number>();
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
    this.pool = new HttpPool({ maxSockets: 16, keepAliveMs: 30_000, timeoutMs: this.retry.requestTimeoutMs, ...(opts.caBundle ? { ca: opts.caBundle } : {}) });
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

  /** The directory when it has been fetched already, without asking for it. */
  get knownDirectory(): AcmeDirectory | undefined {
    return this.fetchedDirectory;
  }

  directory(signal: AbortSignal): Promise<AcmeDirectory> {
    this.directoryPromise ??= this.exchange({ name: 'directory', method: 'GET', url: this.directoryUrl, read: readDirectory }, signal).then((dir) => {
      this.fetchedDirectory = dir;
      return dir;
    }, (err: unknown) => {
      this.directoryPromise = undefined;
      throw err;
    });
    return this.directoryPromise;
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
    // Sent again after a lost answer, newAccount finds the account the first one created.
    const location = await this.exchange({
      name: 'newAccount', method: 'POST', url: dir.newAccount, payload, useJwk: true,
      read: (res) => {
        readJsonObject('newAccount', res);
        return requireLocation('newAccount', res);
      },
    }, signal);
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
    return this.exchange({
      name: 'newOrder', method: 'POST', url: dir.newOrder, payload,
      read: (res) => {
        const doc = readJsonObject('newOrder', res);
        checkOrder('newOrder', res, doc);
        return { ...(doc as unknown as Omit<AcmeOrder, 'url'>), url: requireLocation('newOrder', res) };
      },
    }, signal);
  }

  getAuthorization(url: string, signal: AbortSignal): Promise<AcmeAuthorization> {
    return this.exchange({ name: 'authorization', method: 'POST', url, read: (res) => readAuthorization('authorization', res) }, signal);
  }

  respondToChallenge(url: string, signal: AbortSignal): Promise<AcmeChallenge> {
    return this.exchange({
      name: 'challenge', method: 'POST', url, payload: {},
      read: (res) => {
        const doc = readJsonObject('challenge', res);
        checkChallenge('challenge', res, doc);
        return doc as unknown as AcmeChallenge;
      },
    }, signal);
  }

  /** Polls an authorization until it leaves `pending`. */
  async waitForAuthorization(url: string, signal: AbortSignal): Promise<AcmeAuthorization> {
    return this.poll('validation', 'authorization', url, signal, (a: AcmeAuthorization) => a.status !== 'pending', (r) => readAuthorization('authorization', r));
  }

  async finalize(order: AcmeOrder, csrDer: Buffer, signal: AbortSignal): Promise<AcmeOrder> {
    const readOrder = (request: string) => (res: AcmeResponse): AcmeOrder => {
      const doc = readJsonObject(request, res);
      checkOrder(request, res, doc);
      return { ...(doc as unknown as Omit<AcmeOrder, 'url'>), url: order.url };
    };
    let next: AcmeOrder;
    try {
      next = await this.exchange({ name: 'finalize', method: 'POST', url: order.finalize, payload: { csr: csrDer.toString('base64url') }, read: readOrder('finalize') }, signal);
    } catch (err) {
      // A finalize whose answer was lost (reset, stall) went through; sent again, the CA says
      // orderNotReady because the order is processing already. The order says what is true.
      if (!(err instanceof AcmeProblem && err.shortType === 'orderNotReady')) throw err;
      next = await this.exchange({ name: 'order', method: 'POST', url: order.url, read: readOrder('order') }, signal);
      if (next.status !== 'processing' && next.status !== 'valid') throw err;
    }
    if (next.status === 'valid' || next.status === 'invalid') return next;
    return this.poll('issuance', 'order', order.url, signal, (o: AcmeOrder) => o.status === 'valid' || o.status === 'invalid', readOrder('order'));
  }

  /** Downloads the chain; with `preferredChain`, picks the alternate whose top issuer CN matches. */
  async downloadCertificate(url: string, signal: AbortSignal, preferredChain?: string): Promise<string> {
    const download = (at: string) => this.exchange({
      name: 'certificate', method: 'POST', url: at, accept: 'application/pem-certificate-chain',
      read: (res) => ({ chain: readCertificateChain('certificate', res), link: res.headers.get('link') }),
    }, signal);
    const first = await download(url);
    if (!preferredChain) return first.chain;
    const chains = [first.chain];
    for (const alt of linkUrls(first.link, 'alternate', url)) chains.push((await download(alt)).chain);
    const { chainMatchesIssuer } = await import('./preferred-chain.js');
    return chains.find((c) => chainMatchesIssuer(c, preferredChain)) ?? first.chain;
  }

  /**
   * The CA's suggested renewal window for a certificate (RFC 9773), or undefined when the CA
   * does not offer ARI or answers with no usable window. Unauthenticated GET.
   */
  async renewalInfo(certId: string, signal: AbortSignal): Promise<RenewalInfo | undefined> {
    const dir = await this.directory(signal);
    if (!dir.renewalInfo) return undefined;
    const url = `${dir.renewalInfo.replace(/\/$/, '')}/${certId}`;
    return this.exchange({
      name: 'renewalInfo', method: 'GET', url,
      read: (res) => {
        const info = parseRenewalInfo(readJsonObject('renewalInfo', res));
        if (!info) return undefined;
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        return { ...info, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      },
    }, signal);
  }

  /** RFC 8555 §7.6; reason is an RFC 5280 CRLReason code. */
  async revoke(certDer: Buffer, reason: number, signal: AbortSignal): Promise<void> {
    const dir = await this.directory(signal);
    await this.exchange({ name: 'revokeCert', method: 'POST', url: dir.revokeCert, payload: { certificate: certDer.toString('base64url'), reason }, read: () => undefined }, signal);
  }

  /**
   * Polls until `done`. Without Retry-After the first look comes after what this CA needed the
   * last time (learned per kind: validation or issuance), so a fast CA is asked about once and a
   * loaded one is not asked in vain; later looks double from there, up to 2 s, with ±10 % jitter.
   * Retry-After is honoured, capped by the retry policy. Documented in docs/errors.md.
   */
  private async poll<T>(kind: PollKind, name: string, url: string, signal: AbortSignal, done: (v: T) => boolean, parse: (r: AcmeResponse) => T): Promise<T> {
    const started = performance.now();
    const estimate = this.pollEstimates[kind];
    let wait = estimate;
    let lastMiss = 0;
    for (let looks = 1; ; looks++) {
      await sleep(jitter(wait), signal);
      const { value, res } = await this.exchange({ name, method: 'POST', url, read: (r) => ({ value: parse(r), res: r }) }, signal);
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

  /**
   * Every request goes through here: the retry policy of docs/errors.md, the same for the
   * directory, newNonce, signed POSTs, POST-as-GET and ARI. Each attempt of a POST is signed
   * anew with a nonce never sent before. An answer is read by `read`, whose garbage error is
   * retried like a 5xx; an error answer becomes an AcmeProblem (or ACME_BAD_RESPONSE).
   */
  private async exchange<T>(x: Exchange<T>, signal: AbortSignal): Promise<T> {
    const key = `${x.method} ${x.url} ${x.method === 'POST' ? JSON.stringify(x.payload ?? '') : ''}`;
    let badNonces = 0;
    let staleSockets = 0;
    for (let attempt = 1; ; attempt++) {
      await this.waitTurn(key, signal);
      // The nonce is taken outside the try: newNonce has its own attempts, and its failure is final.
      const body = x.method === 'POST' ? await this.sign(x, signal) : undefined;
      let res: AcmeResponse | undefined;
      let error: CertfleetError;
      try {
        res = await this.http(x, body, signal);
        if (res.status < 400) return x.read(res);
        error = this.errorFor(x.name, res);
      } catch (err) {
        if (signal.aborted || !(err instanceof CertfleetError) || !err.retryable) throw err;
        error = err;
      }
      // A JWS lost on a stale kept-alive socket is signed again with a fresh nonce at once, as
      // the pool would have resent it: the CA most likely never read it.
      if (error.cause instanceof StaleSocketError && ++staleSockets <= STALE_SOCKET_RESIGNS) {
        attempt--;
        continue;
      }
      // badNonce: the answer carried a fresh nonce, so retry at once, on a budget of its own
      // (a CA may reject nonces often; RFC 8555 §6.5 expects clients to retry).
      if (error instanceof AcmeProblem && error.shortType === 'badNonce' && ++badNonces <= this.retry.maxBadNonceRetries) {
        attempt--;
        continue;
      }
      if (!error.retryable || attempt >= this.retry.maxAttempts) throw error;
      const asked = res && res.status >= 400 ? this.retryAfter(res) : undefined;
      const delay = retryDelay(this.retry, attempt, asked);
      this.log?.debug?.({ request: x.name, url: x.url, attempt, of: this.retry.maxAttempts, wait_ms: delay, reason: errorMessage(error) }, 'acme_retry');
      // Another caller sending the same request (a newNonce, most often) waits as well.
      if (asked !== undefined) this.holdBack(key, Date.now() + delay);
      await sleepUntil(Date.now() + delay, signal);
    }
  }

  /** Records a Retry-After for `key`; past ones are dropped, so a long-running daemon keeps none. */
  private holdBack(key: string, until: number): void {
    const now = Date.now();
    for (const [k, t] of this.notBefore) if (t <= now) this.notBefore.delete(k);
    this.notBefore.set(key, until);
  }

  /** Waits until a Retry-After this client was given for the same request has passed. */
  private async waitTurn(key: string, signal: AbortSignal): Promise<void> {
    const until = this.notBefore.get(key);
    if (until === undefined) return;
    if (until <= Date.now()) {
      this.notBefore.delete(key);
      return;
    }
    await sleepUntil(until, signal);
  }

  private async sign(x: Exchange<unknown>, signal: AbortSignal): Promise<string> {
    const nonce = await this.takeNonce(signal);
    const header = x.useJwk || !this.accountUrl ? { url: x.url, nonce, jwk: this.jwk } : { url: x.url, nonce, kid: this.accountUrl };
    return JSON.stringify(signJws(this.accountKey, header, x.payload, this.alg));
  }

  /**
   * A nonce from the pool, else from newNonce. One newNonce request at a time: others wait for
   * it and look at the pool again (answers fill it). So a newNonce told to wait (429,
   * Retry-After) is not asked again by a dozen concurrent callers meanwhile.
   */
  private async takeNonce(signal: AbortSignal): Promise<string> {
    for (;;) {
      const nonce = this.nonces.pop();
      if (nonce) return nonce;
      const inFlight = this.nonceRequest;
      if (!inFlight) {
        const mine = { promise: this.requestNonce(signal), signal };
        this.nonceRequest = mine;
        try {
          return await mine.promise;
        } finally {
          if (this.nonceRequest === mine) this.nonceRequest = undefined;
        }
      }
      try {
        await abortable(inFlight.promise, signal);
      } catch (err) {
        // The one asking gave up (its own signal): ask anew. Otherwise its failure is ours too,
        // after its whole retry budget: no second budget for the same dead newNonce.
        if (signal.aborted || !inFlight.signal.aborted) throw err;
      }
    }
  }

  private async requestNonce(signal: AbortSignal): Promise<string> {
    const dir = await this.directory(signal);
    return this.exchange({
      // GET (204), not HEAD (200), though both are RFC 8555 §7.2's: Node's HTTP client keeps no
      // connection after a HEAD answer without Content-Length (Go's servers, pebble and Boulder,
      // send none), so every HEAD cost the next request a new TLS connection.
      name: 'newNonce', method: 'GET', url: dir.newNonce,
      read: (res) => {
        const fresh = res.headers.get('replay-nonce');
        if (!fresh) throw badAnswer('newNonce', res, 'without a Replay-Nonce header');
        return fresh;
      },
    }, signal);
  }

  private async http(x: Exchange<unknown>, body: string | undefined, signal: AbortSignal): Promise<AcmeResponse> {
    const started = performance.now();
    let res: HttpResponse;
    try {
      res = await this.pool.request(x.method, x.url, {
        signal,
        headers: {
          'user-agent': 'certfleet/0.1',
          ...(body === undefined ? {} : { 'content-type': 'application/jose+json' }),
          ...(x.accept ? { accept: x.accept } : {}),
        },
        ...(body === undefined ? {} : { body, resendStale: false }),
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new CertfleetError('ACME_UNREACHABLE', `${x.name}: no answer from the CA at ${x.url}: ${describeFetchError(err)}`, { retryable: true, cause: err });
    }
    // A newNonce answer's nonce goes to the caller that asked for it, every other one to the pool.
    const nonce = res.headers.get('replay-nonce');
    if (nonce && !(x.name === 'newNonce' && res.status < 400)) this.nonces.push(nonce);
    this.onRequest?.({ method: x.method, url: x.url, status: res.status, ms: performance.now() - started });
    return res;
  }

  /** The answer's Retry-After in ms, capped by the retry policy; a cap is logged, as the CA asked for more. */
  private retryAfter(res: AcmeResponse): number | undefined {
    const asked = parseRetryAfter(res.headers.get('retry-after'));
    if (asked === undefined || asked <= this.retry.maxRetryAfterMs) return asked;
    this.log?.warn({ url: res.url, retry_after_ms: asked, waiting_ms: this.retry.maxRetryAfterMs }, 'retry_after_capped');
    return this.retry.maxRetryAfterMs;
  }

  private errorFor(name: string, res: AcmeResponse): CertfleetError {
    const problem = parseProblem(res.body);
    if (problem) return new AcmeProblem(problem, res.status, res.url);
    const what = res.body === '' ? 'with no body' : `with a body that is not an ACME problem (${describeBody(res)})`;
    return new CertfleetError(
      'ACME_BAD_RESPONSE',
      `${name}: the CA answered ${res.status} ${what} at ${res.url}${res.body === '' ? '' : `: ${snippet(res.body)}`}`,
      { retryable: res.status === 429 || res.status >= 500 },
    );
  }
}

/** One request as the client sends it; see AcmeClient.exchange. */
interface Exchange<T> {
  /** The request's name in messages: `newOrder`, `directory`, `newNonce`, … */
  name: string;
  method: 'GET' | 'POST';
  url: string;
  /** A POST's payload; undefined makes it a POST-as-GET. */
  payload?: unknown;
  useJwk?: boolean;
  accept?: string;
  /** Reads a success answer (status < 400); throws a retryable ACME_BAD_RESPONSE for garbage. */
  read: (res: AcmeResponse) => T;
}

/** Resigns after a stale kept-alive socket (not attempts: the CA did not read the request). */
const STALE_SOCKET_RESIGNS = 3;

/** Sleeps until the wall clock reaches `deadline`: a timer may fire a little early, a Retry-After must not be. */
async function sleepUntil(deadline: number, signal: AbortSignal): Promise<void> {
  for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) await sleep(left, signal);
}

function readDirectory(res: AcmeResponse): AcmeDirectory {
  const doc = readJsonObject('directory', res);
  requireFields('directory', res, doc, { newNonce: 'string', newAccount: 'string', newOrder: 'string', revokeCert: 'string' });
  return doc as unknown as AcmeDirectory;
}

function readAuthorization(request: string, res: AcmeResponse): AcmeAuthorization {
  const doc = readJsonObject(request, res);
  checkAuthorization(request, res, doc);
  return { ...(doc as unknown as Omit<AcmeAuthorization, 'url'>), url: res.url };
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
