import { readFileSync } from 'node:fs';
import type { ProviderConfig } from '../config/schema.js';
import { CertfleetError, errorMessage } from '../errors.js';
import { poolFetch } from '../http/pool-fetch.js';
import type { Logger } from '../log.js';
import type { DnsProvider } from './dns-provider.js';
import { AcmeDnsProvider } from './acme-dns/acme-dns-provider.js';
import { CloudflareProvider } from './cloudflare/cloudflare-provider.js';
import { ExecProvider } from './exec-provider.js';
import { TechnitiumProvider } from './technitium/technitium-provider.js';
import { PowerDnsProvider } from './powerdns.js';
import { Rfc2136Provider } from './rfc2136/rfc2136-provider.js';

export function createProvider(id: string, cfg: ProviderConfig, deps: { log: Logger }): DnsProvider {
  const fetchOption = () => {
    if (!('ca_bundle' in cfg) || !cfg.ca_bundle) return {};
    try {
      return { fetch: poolFetch(readFileSync(cfg.ca_bundle, 'utf8')) };
    } catch (err) {
      throw new CertfleetError('DNS_PROVIDER', `provider ${id}: cannot read ca_bundle ${cfg.ca_bundle}: ${errorMessage(err)}`);
    }
  };
  switch (cfg.type) {
    case 'powerdns':
      return new PowerDnsProvider({ id, apiUrl: cfg.api_url, apiKey: cfg.api_key.reveal(), serverId: cfg.server_id, ...fetchOption() });
    case 'rfc2136':
      return new Rfc2136Provider({
        id, server: cfg.server,
        key: { name: cfg.key_name, algorithm: cfg.algorithm, secret: Buffer.from(cfg.secret.reveal(), 'base64') },
        ...(cfg.zone ? { zone: cfg.zone } : {}),
      });
    case 'cloudflare':
      return new CloudflareProvider({ id, apiToken: cfg.api_token.reveal(), apiUrl: cfg.api_url, ...fetchOption() });
    case 'acme-dns':
      return new AcmeDnsProvider({
        id, apiUrl: cfg.api_url, ...fetchOption(),
        accounts: Object.fromEntries(Object.entries(cfg.accounts).map(([d, a]) => [d, { username: a.username, password: a.password.reveal(), subdomain: a.subdomain, ...(a.fulldomain ? { fulldomain: a.fulldomain } : {}) }])),
      });
    case 'technitium':
      return new TechnitiumProvider({
        id, apiUrl: cfg.api_url, ...fetchOption(), expiryTtl: Math.round(cfg.expiry_ttl / 1000),
        ...(cfg.token ? { token: cfg.token.reveal() } : {}),
        ...(cfg.username ? { username: cfg.username } : {}),
        ...(cfg.password ? { password: cfg.password.reveal() } : {}),
      });
    case 'exec':
      return new ExecProvider({ id, command: cfg.command, timeoutMs: cfg.timeout, log: deps.log });
  }
}
