import path from 'node:path';
import type { Config } from './schema.js';

/**
 * Makes every file or directory the config names absolute, relative to the config file's
 * directory (as `<option>_file` always was): a daemon started from another working directory,
 * or by systemd from `/`, reads and writes the same files. Programs (hook and exec argv) are
 * not paths here: they are looked up on PATH, or relative to the hook's `cwd`.
 * Mutates and returns `config`, fresh from the schema.
 */
export function resolveConfigPaths(config: Config, configFile: string): Config {
  const base = path.dirname(path.resolve(configFile));
  const abs = (p: string) => path.resolve(base, p);
  config.store.path = abs(config.store.path);
  if (config.store.encryption_key_file !== undefined) config.store.encryption_key_file = abs(config.store.encryption_key_file);
  if (config.acme.ca_bundle !== undefined) config.acme.ca_bundle = abs(config.acme.ca_bundle);
  for (const p of Object.values(config.dns.providers)) {
    if ('ca_bundle' in p && p.ca_bundle !== undefined) p.ca_bundle = abs(p.ca_bundle);
  }
  for (const c of config.certificates) resolveCertificatePaths(c, base);
  config.containers.socket = config.containers.socket.map((socket) => (socket.startsWith('tcp://') ? socket
    : socket.startsWith('unix://') ? `unix://${abs(socket.slice('unix://'.length))}` : abs(socket)));
  return config;
}

/** The paths of one certificate entry (deploy targets, hook directories), against `base`; mutates and returns it. */
export function resolveCertificatePaths<C extends Config['certificates'][number]>(c: C, base: string): C {
  const abs = (p: string) => path.resolve(base, p);
  for (const d of c.deploy) {
    if ('copy' in d) {
      for (const k of ['fullchain', 'privkey', 'cert', 'chain', 'combined'] as const) {
        const target = d.copy[k];
        if (target !== undefined) d.copy[k] = abs(target);
      }
    }
    if ('hook' in d && d.hook.cwd !== undefined) d.hook.cwd = abs(d.hook.cwd);
  }
  return c;
}
