import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Clock, Notifier } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import { emergencyStart } from '../scheduler/renewal-policy.js';

/** The config's `notify` webhooks, each told about the events it asked for; loaded on first use. */
export function webhookNotifier(targets: Config['notify'], clock: Clock, log: Logger): Notifier {
  return {
    async notify(spec, o, signal) {
      const wanted = targets.filter((n) => n.webhook.events.includes(o.result as 'failed'));
      if (wanted.length === 0) return;
      const { postWebhook } = await import('../deploy/webhook-action.js');
      const meta = o.meta;
      const unpause = o.result === 'failed' ? /https:\/\/\S*unpause\S*/i.exec(o.detail)?.[0] : undefined;
      // Inside the emergency zone every failed attempt (hourly at most) is flagged as such.
      const emergency = o.result === 'failed' && meta !== undefined && clock.now() >= emergencyStart(Date.parse(meta.notBefore), Date.parse(meta.notAfter));
      const body = {
        event: o.result, certificate: o.name, domains: spec.domains,
        ...(meta ? { not_after: meta.notAfter } : {}),
        ...(o.result === 'failed' ? { error: o.detail, emergency, ...(unpause ? { unpause_url: unpause } : {}), ...(o.next ? { next_attempt: new Date(o.next).toISOString() } : {}) } : {}),
        ...(o.deploy?.some((d) => d.result === 'failed') ? { deploy_failures: o.deploy.filter((d) => d.result === 'failed').map((d) => d.error) } : {}),
      };
      await Promise.all(wanted.map(async (t) => {
        try {
          await postWebhook(t.webhook.url, body, { ...(t.webhook.secret ? { secret: t.webhook.secret.reveal() } : {}), timeoutMs: t.webhook.timeout }, signal);
        } catch (err) {
          log.error({ cert: o.name, error: errorMessage(err) }, 'notify_failed');
        }
      }));
    },
  };
}
