import { sleep } from '../abort.js';
import { CertfleetError, type ErrorCode } from '../errors.js';
import { poolFetch, type FetchLike, type FetchLikeResponse } from '../http/pool-fetch.js';
import { Redactor } from '../redaction.js';

/**
 * What every HTTP DNS API needs around a request, in one place so that each provider is only its
 * API's shapes: auth headers, 429 honouring Retry-After, backoff on 5xx, 401/403 as DNS_AUTH
 * naming the permission, a zone 404 as DNS_ZONE_NOT_FOUND, and no secret in any message (some
 * APIs echo the request, credentials included, in their error bodies).
 */
export interface ProviderHttpOptions {
  /** Starts every message: `Hetzner provider main`. */
  label: string;
  /** The API base URL; paths are appended to it. */
  baseUrl: string;
  fetch?: FetchLike;
  /** Headers for one request (credentials, signatures); may fetch a token first. */
  auth?: (req: OutgoingRequest, signal: AbortSignal) => Record<string, string> | Promise<Record<string, string>>;
  /** Values to scrub from messages besides the process's redactor (tokens, keys). */
  secrets?: () => Iterable<string>;
  /** Said after a 401/403: what the credentials need, e.g. "the token needs DNS write access to the zone". */
  authHint: string;
  /** An answer that means the credentials were refused though its status is not 401/403 (Porkbun says so with a 400). */
  authRefused?: (status: number, body: string) => boolean;
  /** The API's own error text in an answer body, when it has one. */
  errorDetail?: (status: number, body: string) => string | undefined;
  /** Retries of a 429 or a 5xx (5xx only for methods that can be repeated). Default 3. */
  maxRetries?: number;
  /** Longest wait for one Retry-After, in seconds; a longer one fails retryably. Default 60. */
  maxRetryAfter?: number;
  /** An answer that is a rate limit though its status is not 429 (Route 53 says 400 Throttling): retried like a 429. */
  throttled?: (status: number, body: string) => boolean;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ProviderRequest {
  signal: AbortSignal;
  /** A JSON body (serialised, with content-type), or `raw` for any other format. */
  json?: unknown;
  raw?: { body: string; contentType: string };
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Statuses returned to the caller instead of thrown (e.g. 404 where "not there" is an answer). */
  accept?: number[];
  /** The zone the request is about: a 404 then means the zone is missing (DNS_ZONE_NOT_FOUND). */
  zone?: string;
  /** A POST that may be repeated after a 5xx or a lost connection (APIs that send every call, reads too, as POST). */
  idempotent?: boolean;
}

export interface ProviderResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json<T>(): T;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export class ProviderHttp {
  private readonly base: string;
  private readonly fetch: FetchLike;

  constructor(private readonly opts: ProviderHttpOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? poolFetch();
  }

  async request(method: string, path: string, req: ProviderRequest): Promise<ProviderResponse> {
    const url = this.url(path, req.query);
    const body = req.json !== undefined ? JSON.stringify(req.json) : req.raw?.body;
    const contentType = req.json !== undefined ? 'application/json' : req.raw?.contentType;
    const maxRetries = this.opts.maxRetries ?? 3;
    const repeatable = req.idempotent ?? IDEMPOTENT.has(method);
    for (let attempt = 0; ; attempt++) {
      const out: OutgoingRequest = {
        method, url,
        headers: { accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}), ...req.headers },
        ...(body !== undefined ? { body } : {}),
      };
      out.headers = { ...out.headers, ...(await this.opts.auth?.(out, req.signal)) };
      let res: FetchLikeResponse;
      try {
        res = await this.fetch(url, { method, headers: out.headers, signal: req.signal, ...(body !== undefined ? { body } : {}) });
      } catch (err) {
        if (req.signal.aborted) throw req.signal.reason;
        if (repeatable && attempt < maxRetries) {
          await sleep(backoff(attempt), req.signal);
          continue;
        }
        throw this.error('DNS_PROVIDER', `${method} ${this.where(path)}: API unreachable: ${(err as Error).message}`, { retryable: true, cause: err });
      }
      const text = await res.text();
      if (res.status >= 400 && this.opts.authRefused?.(res.status, text)) throw this.authError(method, path, res.status, text);
      if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) {
        return { status: res.status, headers: res.headers, text, json: <T>() => parseJson<T>(text, () => this.error('DNS_PROVIDER', `${method} ${this.where(path)}: the answer is not JSON (HTTP ${res.status})`, {})) };
      }
      const throttled = res.status === 429 || (this.opts.throttled?.(res.status, text) ?? false);
      const wait = throttled ? retryAfter(res.headers.get('retry-after'), attempt) : res.status >= 500 && repeatable ? backoff(attempt) : undefined;
      if (wait !== undefined && attempt < maxRetries && wait <= (this.opts.maxRetryAfter ?? 60) * 1000) {
        await sleep(wait, req.signal);
        continue;
      }
      const said = this.said(res.status, text);
      if (res.status === 401 || res.status === 403) throw this.authError(method, path, res.status, text);
      if (res.status === 404 && req.zone !== undefined) throw this.error('DNS_ZONE_NOT_FOUND', `no zone ${req.zone} (${said}); or the credentials cannot see it`, { status: res.status });
      if (throttled) throw this.error('DNS_PROVIDER', `${method} ${this.where(path)}: rate limited (${said}) after ${attempt} retries`, { retryable: true, status: res.status });
      throw this.error('DNS_PROVIDER', `${method} ${this.where(path)}: ${said}`, { retryable: res.status >= 500, status: res.status });
    }
  }

  private said(status: number, text: string): string {
    const detail = this.opts.errorDetail?.(status, text) ?? '';
    return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  }

  private authError(method: string, path: string, status: number, text: string): ProviderHttpError {
    return this.error('DNS_AUTH', `${method} ${this.where(path)}: credentials refused (${this.said(status, text)}); ${this.opts.authHint}`, { status });
  }

  private url(path: string, query?: ProviderRequest['query']): string {
    const q = Object.entries(query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
    return `${this.base}${path}${q.length ? `?${new URLSearchParams(q.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : ''}`;
  }

  /** The path without its query: queries may carry record values, and some APIs put keys there. */
  private where(path: string): string {
    return path.replace(/\?.*$/, '');
  }

  private error(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown; status?: number }): ProviderHttpError {
    const scrub = new Redactor();
    scrub.add(this.opts.secrets?.() ?? []);
    return new ProviderHttpError(code, scrub.redact(`${this.opts.label}: ${message}`), opts.status, { retryable: opts.retryable ?? false, ...(opts.cause ? { cause: opts.cause } : {}) });
  }
}

/** The options every API client is built with: its config entry's id, the API base it may override, a fetch. */
export interface ApiClientOptions { id: string; apiUrl?: string; fetch?: FetchLike }

/** The ProviderHttp of one API client: labelled `<API> provider <id>`, on `defaultUrl` unless the options override it. */
export function apiClientHttp(api: string, defaultUrl: string, opts: ApiClientOptions, rest: Omit<ProviderHttpOptions, 'label' | 'baseUrl' | 'fetch'>): ProviderHttp {
  return new ProviderHttp({ label: `${api} provider ${opts.id}`, baseUrl: opts.apiUrl ?? defaultUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}), ...rest });
}

/**
 * Auth by one static token in a header, `Authorization: <scheme> <token>` by default (Bearer,
 * deSEC's Token; scheme '' sends the token alone, as Hetzner's DNS Console wants in its own
 * header), the token scrubbed from messages.
 */
export function tokenAuth(scheme: string, token: string, header = 'authorization'): Pick<ProviderHttpOptions, 'auth' | 'secrets'> {
  const value = scheme ? `${scheme} ${token}` : token;
  return { auth: () => ({ [header]: value }), secrets: () => [token] };
}

/** A failed provider API call; `status` is the HTTP status when there was an answer. */
export class ProviderHttpError extends CertfleetError {
  constructor(code: ErrorCode, message: string, readonly status: number | undefined, opts: { retryable: boolean; cause?: unknown }) {
    super(code, message, opts);
  }
}

function parseJson<T>(text: string, fail: () => Error): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw fail();
  }
}

function backoff(attempt: number): number {
  return 500 * 2 ** attempt;
}

/** Retry-After in seconds or as an HTTP date; without one, exponential backoff. */
function retryAfter(header: string | null, attempt: number): number {
  if (header !== null && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return 1000 * 2 ** attempt;
}
