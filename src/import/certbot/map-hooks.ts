import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { RenewalConf } from './renewal-conf.js';
import { yamlString } from './yaml-string.js';

/** A deploy item of the printed config (one YAML flow line) and what it came from. */
export interface MappedHook {
  line: string;
  comment: string;
}

/**
 * certbot's deploy hooks as certfleet hook actions, in certbot's order: the executable files of
 * `renewal-hooks/deploy/` by name, then the lineage's `renew_hook` (--deploy-hook) unless it is
 * one of those files. certbot ran `renew_hook` through a shell and the files directly; so do
 * these. Both get RENEWED_LINEAGE and RENEWED_DOMAINS from certfleet, as from certbot.
 * pre_hook and post_hook (and renewal-hooks/pre, post) have no certfleet equivalent: reported.
 */
export async function mapHooks(root: string, conf: RenewalConf, signal: AbortSignal): Promise<{ hooks: MappedHook[]; notes: string[] }> {
  signal.throwIfAborted();
  const dir = path.join(root, 'renewal-hooks', 'deploy');
  const scripts = await executables(dir);
  const hooks: MappedHook[] = scripts.map((file) => ({ line: `hook: [${yamlString(file)}]`, comment: `from ${path.relative(root, file)} (certbot runs every script there after each renewal)` }));
  const deployHook = conf.params.renew_hook;
  if (deployHook && !scripts.includes(deployHook)) {
    hooks.push({ line: `hook: [/bin/sh, -c, ${yamlString(deployHook)}]`, comment: 'certbot\'s --deploy-hook, run through /bin/sh as certbot ran it' });
  }
  const notes: string[] = [];
  for (const key of ['pre_hook', 'post_hook'] as const) {
    if (conf.params[key]) notes.push(`${key} ${JSON.stringify(conf.params[key])} is not mapped: certfleet has no hook around a renewal attempt (a reload belongs in deploy:)`);
  }
  for (const phase of ['pre', 'post']) {
    const found = await executables(path.join(root, 'renewal-hooks', phase));
    if (found.length > 0) notes.push(`renewal-hooks/${phase}/ (${found.map((f) => path.basename(f)).join(', ')}) is not mapped: certfleet has no hook around a renewal attempt`);
  }
  return { hooks, notes };
}

async function executables(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  // certbot skips files ending in "~" (editor backups) and ones it cannot execute.
  for (const n of names.sort()) {
    const file = path.join(dir, n);
    if (n.endsWith('~')) continue;
    const st = await fs.stat(file).catch(() => undefined);
    if (st?.isFile() && await fs.access(file, constants.X_OK).then(() => true, () => false)) out.push(file);
  }
  return out;
}
