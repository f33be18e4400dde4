import { createHmac } from 'node:crypto';
import { sleep } from '../abort.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

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
  for (let attempt = 1; ; attempt++) {
    let status: number | undefined;
    let failure: string;
    try {
      const res = await fetch(url, {
        method: 'POST', body: text,
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
        headers: { 'content-type': 'application/json', 'user-agent': 'certfleet', 'x-certfleet-event': body.event, ...(opts.secret ? { 'x-certfleet-signature': webhookSignature(opts.secret, text) } : {}) },
      });
      await res.body?.cancel();
      status = res.status;
      if (res.ok) return;
      failure = `HTTP ${res.status}`;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      failure = errorMessage(err);
    }
    const retryable = status === undefined || status >= 500 || status === 429;
    if (!retryable || attempt >= attempts) throw new CertfleetError('DEPLOY_FAILED', `webhook to ${host}: ${failure} (after ${attempt} attempt${attempt > 1 ? 's' : ''})`);
    await sleep(500 * 2 ** (attempt - 1), signal);
  }
}

export class WebhookAction implements DeployAction {
  readonly kind = 'webhook';
  readonly describe: string;

  constructor(private readonly url: string, private readonly secret: string | undefined, readonly timeoutMs: number, readonly required: boolean) {
    this.describe = `webhook to ${new URL(url).host}`;
  }

  run(e: CertificateEvent, ctx: { signal: AbortSignal }): Promise<void> {
    return postWebhook(this.url, { event: e.event, certificate: e.name, domains: e.domains, not_after: e.notAfter }, { ...(this.secret ? { secret: this.secret } : {}), timeoutMs: this.timeoutMs }, ctx.signal);
  }
}
