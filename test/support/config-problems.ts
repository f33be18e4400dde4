import { ConfigError, parseConfig, type ParseOptions } from '../../src/config/load-config.js';

/** A minimal valid config: one PowerDNS provider `home`, one certificate using it. */
export const MINIMAL_CONFIG = `acme:
  directory: https://127.0.0.1:14000/dir
  email: admin@example.test
store:
  path: /tmp/x
dns:
  providers:
    home:
      type: powerdns
      api_url: http://127.0.0.1:8081
      api_key: k
certificates:
  - domains: [example.test, "*.example.test"]
    dns: home
`;

/** Every problem the loader finds in `text`, as `line:column path: message` ([] when it accepts it). */
export function configProblems(text: string, opts: ParseOptions = {}): string[] {
  try {
    parseConfig(text, 'c.yaml', opts);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}
