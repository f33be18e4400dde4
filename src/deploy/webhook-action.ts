import { createHmac } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { sleep } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

// node:http through getBuiltinModule, not an ESM import: its ESM namespace loads undici (see http-pool.ts).
const { request: httpRequest } = process.getBuiltinModule('node:http');

export interface WebhookEventBody {
  event: string;
  certificate: string;
  domains: string[];
  not_after?: string;
  error?: string;
  [more: string]: unknown;
}

/** `sha256=<hex HMAC-SHA256 of the body>`, as GitHub signs its webhooks. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs a JSON event, signed with HMAC-SHA256 of the body (header X-Certfleet-Signature) when a
 * secret is set; retried with backoff on network errors and 5xx/429.
 */
export async function postWebhook(url: string, body: WebhookEventBody, opts: { secret?: string; attempts?: number; timeoutMs: number }, signal: AbortSignal): Promise<void> {
  const text = JSON.stringify(body);
  const host = new URL(url).host;
  const attempts = opts.attempts ?? 3;
  const headers = { 'content-type': 'application/json', 'user-agent': 'certfleet', 'x-certfleet-event': body.event, ...(opts.secret ? { 'x-certfleet-signature': webhookSignature(opts.secret, text) } : {}) };
  for (let attempt = 1; ; attempt++) {
    let status: number | undefined;
    let failure: string;
    try {
      status = await postOnce(url, text, headers, AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]));
      if (status >= 200 && status < 300) return;
      failure = `HTTP ${status}`;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      failure = errorMessage(err);
    }
    const retryable = status === undefined || status >= 500 || status === 429;
    if (!retryable || attempt >= attempts) throw new CertfleetError('DEPLOY_FAILED', `webhook to ${host}: ${failure} (after ${attempt} attempt${attempt > 1 ? 's' : ''})`);
    await sleep(500 * 2 ** (attempt - 1), signal);
  }
}

/**
 * One POST on a connection of its own (webhooks are rare: nothing to keep alive), the answer's
 * status. Certificates are always verified: `rejectUnauthorized: true` is given explicitly, so
 * NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn verification off (the global
 * fetch has no such option and obeys the variable).
 */
function postOnce(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return Promise.reject(new TypeError(`unsupported URL scheme ${target.protocol}`));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', agent: false, rejectUnauthorized: true, signal, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class WebhookAction implements DeployAction {
  readonly kind = 'webhook';
  readonly describe: string;

  constructor(private readonly url: string, private readonly secret: string | undefined, readonly timeoutMs: number, readonly required: boolean) {
    this.describe = `webhook to ${new URL(url).host}`;
  }

  run(e: CertificateEvent, ctx: { signal: AbortSignal }): Promise<void> {
    return postWebhook(this.url, { event: e.event, certificate: e.name, domains: e.domains, not_after: e.certificate.meta.notAfter }, { ...(this.secret ? { secret: this.secret } : {}), timeoutMs: this.timeoutMs }, ctx.signal);
  }
}
