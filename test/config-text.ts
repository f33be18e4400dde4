/** A certfleet config for tests against the local pebble and PowerDNS. */
export function configText(opts: { store: string; directory: string; caBundle: string; dnsAddress: string; apiUrl: string; apiKey: string; certs: string; extraAcme?: string }): string {
  return `acme:
  directory: ${opts.directory}
  email: admin@example.test
  ca_bundle: ${opts.caBundle}
${opts.extraAcme ?? ''}store:
  path: ${opts.store}
dns:
  resolvers: [${opts.dnsAddress}]
  providers:
    home:
      type: powerdns
      api_url: ${opts.apiUrl}
      api_key: ${opts.apiKey}
      propagation:
        nameservers: [${opts.dnsAddress}]
        timeout: 10s
certificates:
${opts.certs}`;
}
