/**
 * A config on the development issuer (no CA, no DNS server) whose certificate `web` deploys
 * with a required hook that passes only once the file `flag` exists: a deploy that fails until
 * the test fixes it.
 */
export function selfSignedDeployConfig(o: { store: string; flag: string; top?: string; certs?: string }): string {
  return `acme: { directory: selfsigned }
store: { path: ${o.store} }
${o.top ?? ''}dns:
  providers:
    none: { type: exec, command: [/bin/false] }
certificates:
  - name: web
    domains: [web.example.test]
    dns: none
    deploy:
      - hook: { command: [/usr/bin/test, -e, ${o.flag}], required: true }
${o.certs ?? ''}`;
}
