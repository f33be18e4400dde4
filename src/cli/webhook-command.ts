import { createProvider } from '../dns/create-provider.js';
import type { DomainFilter } from '../externaldns/endpoint.js';
import { isRecordBackend } from '../externaldns/record-backend.js';
import { startWebhookServer } from '../externaldns/webhook-server.js';
import { WebhookService } from '../externaldns/webhook-service.js';
import { errorMessage } from '../errors.js';
import { configFor, logFor, parseCommand, securityGate } from './cli-options.js';

/** `certfleet webhook`: the ExternalDNS webhook provider until SIGTERM/SIGINT. */
export async function runWebhook(args: string[]): Promise<number> {
  const values = parseCommand(args, {});
  const config = await configFor(values);
  if (!config) return 2;
  const log = logFor(values, config);
  if (!(await securityGate(config, log))) return 2;
  if (!config.webhook) {
    process.stderr.write('certfleet: the config has no webhook: section (listen, provider, domain_filter)\n');
    return 2;
  }
  const w = config.webhook;
  const provider = await createProvider(w.provider, config.dns.providers[w.provider]!, { log: log.child({ component: 'dns', provider: w.provider }) });
  if (!isRecordBackend(provider)) {
    process.stderr.write(`certfleet: provider ${w.provider} (${config.dns.providers[w.provider]!.type}) cannot serve ExternalDNS (powerdns, rfc2136, technitium and cloudflare can)\n`);
    return 2;
  }
  const filter: DomainFilter = 'include' in w.domain_filter
    ? { include: w.domain_filter.include, exclude: w.domain_filter.exclude }
    : { ...(w.domain_filter.regex_include ? { regexInclude: w.domain_filter.regex_include } : {}), ...(w.domain_filter.regex_exclude ? { regexExclude: w.domain_filter.regex_exclude } : {}) };
  let server;
  try {
    const service = new WebhookService(provider, filter, w.default_ttl, log.child({ component: 'webhook' }), { allowAcmeChallenge: w.allow_acme_challenge });
    server = await startWebhookServer(service, { listen: w.listen, healthListen: w.health_listen, ...(w.token ? { token: w.token.reveal() } : {}) }, log.child({ component: 'webhook' }));
  } catch (err) {
    log.error({ error: errorMessage(err) }, 'start_failed');
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = () => void server.close().then(() => { log.info('stopped'); resolve(0); });
    process.once('SIGTERM', stop).once('SIGINT', stop);
  });
}
