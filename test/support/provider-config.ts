import { ConfigError, parseConfig, type ParseOptions } from '../../src/config/load-config.js';
import type { Config, ProviderConfig } from '../../src/config/schema.js';

/** A whole config with one provider entry (`provider` is its YAML, one option a line) and one certificate using it. */
export function configWithProvider(id: string, provider: string): string {
  return `acme:
  directory: https://127.0.0.1:14000/dir
  email: admin@example.test
store:
  path: /tmp/x
dns:
  providers:
    ${id}:
${provider.split('\n').map((l) => `      ${l}`).join('\n')}
certificates:
  - domains: [example.test]
    dns: ${id}
`;
}

/** The provider entry as the config loader makes it (secrets as Secret, defaults filled in). */
export function parseProvider(id: string, provider: string, opts: ParseOptions = {}): ProviderConfig {
  return parseConfig(configWithProvider(id, provider), '/etc/certfleet/certfleet.yaml', opts).dns.providers[id]!;
}

/** `path: message` of every problem the loader finds ([] when it accepts the config). */
export function providerProblems(id: string, provider: string, opts: ParseOptions = {}): string[] {
  try {
    parseProvider(id, provider, opts);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

/**
 * The config whose only provider is `id` (its YAML lines), with secret files served from
 * `files`: the config, or the problems as `field.path: message`.
 */
export function parseProviderEntry(id: string, lines: string, files: Record<string, string> = {}): { config?: Config; problems: string[] } {
  const readSecretFile = (f: string) => {
    if (!(f in files)) throw Object.assign(new Error(`no file ${f}`), { code: 'ENOENT' });
    return files[f]!;
  };
  try {
    return { config: parseConfig(configWithProvider(id, lines), '/etc/certfleet/certfleet.yaml', { readSecretFile }), problems: [] };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems.map((p) => `${p.path}: ${p.message}`) };
    throw err;
  }
}
