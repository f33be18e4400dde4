import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPebble, type PebbleServer } from './pebble-server.js';
import { startPowerDns, type PowerDnsServer } from './powerdns-server.js';
import { removeTree } from './remove-tree.js';

/** PowerDNS serving `zones`, pebble validating against it, and a scratch directory. */
export interface LocalStack {
  pdns: PowerDnsServer;
  pebble: PebbleServer;
  dir: string;
  stop(): Promise<void>;
}

export async function startLocalStack(zones: string[]): Promise<LocalStack> {
  const pdns = await startPowerDns(zones);
  let pebble: PebbleServer;
  try {
    pebble = await startPebble({ dnsServer: pdns.dnsAddress });
  } catch (err) {
    await pdns.stop();
    throw err;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-'));
  return {
    pdns, pebble, dir,
    async stop() {
      await pebble.stop();
      await pdns.stop();
      await removeTree(dir);
    },
  };
}

/** A certfleet config (YAML text) pointing at a local pebble and PowerDNS; the provider id is `home`. */
export function localConfigText(o: {
  store: string;
  pebble: Pick<PebbleServer, 'directoryUrl' | 'caBundlePath'>;
  pdns: Pick<PowerDnsServer, 'dnsAddress' | 'apiUrl' | 'apiKey'>;
  certs: string;
  apiKey?: string;
  directory?: string;
  extraAcme?: string;
  /** Top-level sections (e.g. `server:`), YAML text ending in a newline. */
  extraTop?: string;
  /** More providers under dns.providers, indented four spaces. */
  extraProviders?: string;
}): string {
  return `acme:
  directory: ${o.directory ?? o.pebble.directoryUrl}
  email: admin@example.test
  ca_bundle: ${o.pebble.caBundlePath}
${o.extraAcme ?? ''}store:
  path: ${o.store}
${o.extraTop ?? ''}dns:
  resolvers: [${o.pdns.dnsAddress}]
  providers:
    home:
      type: powerdns
      api_url: ${o.pdns.apiUrl}
      api_key: ${o.apiKey ?? o.pdns.apiKey}
      propagation:
        nameservers: [${o.pdns.dnsAddress}]
        timeout: 10s
${o.extraProviders ?? ''}certificates:
${o.certs}`;
}
