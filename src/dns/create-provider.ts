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
    case 'digitalocean': {
      const { digitalOceanProvider } = await import('./digitalocean/digitalocean-provider.js');
      return digitalOceanProvider({ id, apiToken: cfg.api_token.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'hetzner': {
      const { hetznerProvider } = await import('./hetzner/hetzner-provider.js');
      return hetznerProvider({ id, api: cfg.api, apiToken: cfg.api_token.reveal(), ...(cfg.api_url ? { apiUrl: cfg.api_url } : {}), ...fetchOption() });
    }
    case 'linode': {
      const { linodeProvider } = await import('./linode/linode-provider.js');
      return linodeProvider({ id, apiToken: cfg.api_token.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'vultr': {
      const { vultrProvider } = await import('./vultr/vultr-provider.js');
      return vultrProvider({ id, apiKey: cfg.api_key.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'route53': {
      const { Route53Provider } = await import('./route53/route53-provider.js');
      return new Route53Provider({
        id, apiUrl: cfg.api_url, privateZone: cfg.private_zone, ...fetchOption(),
        ...(cfg.access_key_id && cfg.secret_access_key ? { accessKeyId: cfg.access_key_id, secretAccessKey: cfg.secret_access_key.reveal() } : {}),
        ...(cfg.session_token ? { sessionToken: cfg.session_token.reveal() } : {}), ...(cfg.profile ? { profile: cfg.profile } : {}), ...(cfg.sts_url ? { stsUrl: cfg.sts_url } : {}),
      });
    }
    case 'azure': {
      const { AzureProvider } = await import('./azure/azure-provider.js');
      const auth = cfg.auth === 'client_secret'
        ? { kind: cfg.auth, tenantId: cfg.tenant_id ?? '', clientId: cfg.client_id ?? '', clientSecret: cfg.client_secret?.reveal() ?? '' }
        : { kind: cfg.auth, ...(cfg.tenant_id ? { tenantId: cfg.tenant_id } : {}), ...(cfg.client_id ? { clientId: cfg.client_id } : {}), ...(cfg.federated_token_file ? { tokenFile: cfg.federated_token_file } : {}) };
      return new AzureProvider({ id, subscriptionId: cfg.subscription_id, resourceGroup: cfg.resource_group, auth, apiUrl: cfg.api_url, ...(cfg.login_url ? { loginUrl: cfg.login_url } : {}), ...fetchOption() });
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
    case 'lexicon': {
      const { LexiconProvider } = await import('./lexicon/lexicon-provider.js');
      return new LexiconProvider({ id, provider: cfg.provider, options: Object.fromEntries(Object.entries(cfg.options).map(([k, v]) => [k, v.reveal()])), python: cfg.python, timeoutMs: cfg.timeout, log: deps.log });
    }
    case 'desec': {
      const { DesecProvider } = await import('./desec/desec-provider.js');
      return new DesecProvider({ id, token: cfg.token.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'porkbun': {
      const { porkbunProvider } = await import('./porkbun/porkbun-provider.js');
      return porkbunProvider({ id, apiKey: cfg.api_key.reveal(), secretApiKey: cfg.secret_api_key.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'godaddy': {
      const { GodaddyProvider } = await import('./godaddy/godaddy-provider.js');
      return new GodaddyProvider({ id, apiKey: cfg.api_key.reveal(), apiSecret: cfg.api_secret.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    }
    case 'dnsimple': {
      const { dnsimpleProvider } = await import('./dnsimple/dnsimple-provider.js');
      return dnsimpleProvider({ id, token: cfg.token.reveal(), apiUrl: cfg.api_url, ...(cfg.account_id ? { accountId: cfg.account_id } : {}), ...fetchOption() });
    }
    case 'infomaniak': {
      const { infomaniakProvider } = await import('./infomaniak/infomaniak-provider.js');
      return infomaniakProvider({ id, token: cfg.token.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
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
