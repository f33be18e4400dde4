import { readFileSync } from 'node:fs';
import type { ProviderConfig } from '../config/schema.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { poolFetch } from '../http/pool-fetch.js';
import type { Logger } from '../log.js';
import type { DnsProvider } from './dns-provider.js';

/** The provider for one `dns.providers` entry; only its own module is loaded (a CLI run pays for one, not six). */
export async function createProvider(id: string, cfg: ProviderConfig, deps: { log: Logger }): Promise<DnsProvider> {
  const fetchOption = () => {
    if (!('ca_bundle' in cfg) || !cfg.ca_bundle) return {};
    try {
      return { fetch: poolFetch(readFileSync(cfg.ca_bundle, 'utf8')) };
    } catch (err) {
      throw new CertfleetError('DNS_PROVIDER', `provider ${id}: cannot read ca_bundle ${cfg.ca_bundle}: ${errorMessage(err)}`);
    }
  };
  switch (cfg.type) {
    case 'powerdns': {
      const { PowerDnsProvider } = await import('./powerdns.js');
      return new PowerDnsProvider({ id, apiUrl: cfg.api_url, apiKey: cfg.api_key.reveal(), serverId: cfg.server_id, ...fetchOption() });
    }
    case 'rfc2136': {
      const { Rfc2136Provider } = await import('./rfc2136/rfc2136-provider.js');
      return new Rfc2136Provider({
        id, server: cfg.server,
        key: { name: cfg.key_name, algorithm: cfg.algorithm, secret: Buffer.from(cfg.secret.reveal(), 'base64') },
        ...(cfg.zone ? { zone: cfg.zone } : {}),
      });
    }
    case 'cloudflare': {
      const { CloudflareProvider } = await import('./cloudflare/cloudflare-provider.js');
      return new CloudflareProvider({ id, apiToken: cfg.api_token.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'acme-dns': {
      const { AcmeDnsProvider } = await import('./acme-dns/acme-dns-provider.js');
      return new AcmeDnsProvider({
        id, apiUrl: cfg.api_url, ...fetchOption(),
        accounts: Object.fromEntries(Object.entries(cfg.accounts).map(([d, a]) => [d, { username: a.username, password: a.password.reveal(), subdomain: a.subdomain, ...(a.fulldomain ? { fulldomain: a.fulldomain } : {}) }])),
      });
    }
    case 'technitium': {
      const { TechnitiumProvider } = await import('./technitium/technitium-provider.js');
      return new TechnitiumProvider({
        id, apiUrl: cfg.api_url, ...fetchOption(), expiryTtl: Math.round(cfg.expiry_ttl / 1000),
        ...(cfg.token ? { token: cfg.token.reveal() } : {}),
        ...(cfg.username ? { username: cfg.username } : {}),
        ...(cfg.password ? { password: cfg.password.reveal() } : {}),
      });
    }
    case 'google-cloud-dns': {
      const { GoogleCloudDnsProvider } = await import('./google-cloud-dns/google-cloud-dns-provider.js');
      return new GoogleCloudDnsProvider({
        id, apiUrl: cfg.api_url, metadataUrl: cfg.metadata_url, ...fetchOption(),
        ...(cfg.service_account_key ? { serviceAccountKey: cfg.service_account_key.reveal() } : {}),
        ...(cfg.project ? { project: cfg.project } : {}), ...(cfg.token_url ? { tokenUrl: cfg.token_url } : {}),
      });
    }
    case 'ovh': {
      const [{ OvhProvider }, { OVH_ENDPOINTS }] = await Promise.all([import('./ovh/ovh-provider.js'), import('../config/providers/ovh.js')]);
      return new OvhProvider({
        id, apiUrl: cfg.api_url ?? OVH_ENDPOINTS[cfg.endpoint], ...fetchOption(),
        applicationKey: cfg.application_key, applicationSecret: cfg.application_secret.reveal(), consumerKey: cfg.consumer_key.reveal(),
      });
    }
    case 'gandi': {
      const { GandiProvider } = await import('./gandi/gandi-provider.js');
      return new GandiProvider({
        id, apiUrl: cfg.api_url, ...fetchOption(),
        ...(cfg.personal_access_token ? { personalAccessToken: cfg.personal_access_token.reveal() } : {}),
        ...(cfg.api_key ? { apiKey: cfg.api_key.reveal() } : {}),
      });
    }
    case 'exec': {
      const { ExecProvider } = await import('./exec-provider.js');
      return new ExecProvider({ id, command: cfg.command, ...(cfg.env ? { env: cfg.env } : {}), ...(cfg.pass_env ? { passEnv: cfg.pass_env } : {}), timeoutMs: cfg.timeout, log: deps.log });
    }
  }
}
