import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';

/**
 * Parses a config whose only provider is `id` with the given YAML lines, secret files served
 * from `files`: the config, or the problems as `field.path: message`.
 */
export function parseProviderEntry(id: string, lines: string, files: Record<string, string> = {}): { config?: Config; problems: string[] } {
  const text = `acme:
  directory: https://127.0.0.1:14000/dir
  email: admin@example.test
store:
  path: /tmp/x
dns:
  providers:
    ${id}:
${lines.replace(/^/gm, '      ')}
certificates:
  - domains: [example.test]
    dns: ${id}
`;
  const readSecretFile = (f: string) => {
    if (!(f in files)) throw Object.assign(new Error(`no file ${f}`), { code: 'ENOENT' });
    return files[f]!;
  };
  try {
    return { config: parseConfig(text, '/etc/cf/c.yaml', { readSecretFile }), problems: [] };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems.map((p) => `${p.path}: ${p.message}`) };
    throw err;
  }
}
