import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProgram } from '../../child/find-program.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { helperEnv, INSTALL_HINT, runHelper } from './lexicon-client.js';
import { noLexiconMessage, unknownOptionMessage, unknownProviderMessage } from './lexicon-errors.js';

/** What one installed lexicon offers: each provider, whether its dependencies are there, and its options (argparse dests). */
export interface LexiconCatalog {
  version: string;
  /** The distribution's metadata directory (its name carries the version): the cache is checked against it. */
  stamp: string;
  providers: Record<string, { available: boolean; options: string[] }>;
}

interface CacheFile { python: string; stampMtimeMs: number; catalog: LexiconCatalog }

/**
 * Where catalogs are kept: the user's cache directory (XDG_CACHE_HOME, else ~/.cache), not the
 * store. It is derived data, rebuilt at will; check-config runs where no store exists (CI, a
 * laptop) or under a user who may not write it; and it belongs to the Python, not to a store.
 */
export function lexiconCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'certfleet', 'lexicon');
}

export interface CatalogOptions {
  cacheDir: string;
  log: Logger;
  signal: AbortSignal;
  /** certfleet's environment, for the child's allow-list (and so its PATH). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * The catalog of the lexicon that `python` has. Introspecting imports every provider module (about
 * a second), so the answer is cached per Python and lexicon version: one file per Python, valid
 * while lexicon's metadata directory is unchanged (an upgrade replaces it, with the version in its
 * name). A cache that cannot be read or written only costs the introspection.
 */
export async function lexiconCatalog(python: string, opts: CatalogOptions): Promise<{ catalog: LexiconCatalog } | { problem: string }> {
  const env = helperEnv(undefined, {}, opts.env);
  const found = await findProgram(python, { path: env.PATH, cwd: process.cwd() }, opts.signal);
  if ('problem' in found) return { problem: `python ${found.problem}: lexicon needs Python 3; ${INSTALL_HINT}, or set python: to the Python that has it` };
  const file = path.join(opts.cacheDir, `${createHash('sha256').update(found.found).digest('hex').slice(0, 16)}.json`);
  const cached = await readCache(file, found.found);
  if (cached) return { catalog: cached };
  const answer = await runHelper({ python, request: { action: 'describe' }, timeoutMs: opts.timeoutMs ?? 30_000, log: opts.log, signal: opts.signal, ...(opts.env ? { from: opts.env } : {}) });
  if (!answer.ok) return { problem: answer.error.kind === 'no_lexicon' ? noLexiconMessage(python) : `cannot list lexicon's providers with ${python}: ${answer.error.message}` };
  const catalog = answer as unknown as LexiconCatalog & { ok: true };
  if (typeof catalog.providers !== 'object' || catalog.providers === null || typeof catalog.stamp !== 'string') return { problem: `cannot list lexicon's providers with ${python}: the helper's answer has no provider list` };
  const entry: CacheFile = { python: found.found, stampMtimeMs: await mtimeOf(catalog.stamp) ?? 0, catalog: { version: catalog.version, stamp: catalog.stamp, providers: catalog.providers } };
  try {
    await fs.mkdir(opts.cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(entry));
    await fs.rename(tmp, file);
  } catch (err) {
    opts.log.debug({ file, error: errorMessage(err) }, 'lexicon_catalog_not_cached');
  }
  return { catalog: entry.catalog };
}

async function readCache(file: string, python: string): Promise<LexiconCatalog | undefined> {
  try {
    const entry = JSON.parse(await fs.readFile(file, 'utf8')) as CacheFile;
    if (entry.python !== python || typeof entry.catalog?.stamp !== 'string') return undefined;
    return (await mtimeOf(entry.catalog.stamp)) === entry.stampMtimeMs ? entry.catalog : undefined;
  } catch {
    return undefined;
  }
}

async function mtimeOf(file: string): Promise<number | undefined> {
  return (await fs.stat(file).catch(() => undefined))?.mtimeMs;
}

/** A `type: lexicon` entry as check-config sees it: the option names only (their values are secrets). */
export interface LexiconEntry { id: string; provider: string; python: string; options: readonly string[] }

export interface LexiconProblem {
  /** The field path of the key at fault, from the document's root. */
  at: string[];
  message: string;
}

/**
 * Each entry's provider name and option names against lexicon's own argument list for that
 * provider, with "did you mean" for a near miss; a missing Python or lexicon says how to install it.
 */
export async function lexiconProblems(entries: readonly LexiconEntry[], opts: CatalogOptions): Promise<LexiconProblem[]> {
  const catalogs = new Map<string, Awaited<ReturnType<typeof lexiconCatalog>>>();
  const problems: LexiconProblem[] = [];
  for (const e of entries) {
    const at = (key: string) => ['dns', 'providers', e.id, key];
    if (!catalogs.has(e.python)) catalogs.set(e.python, await lexiconCatalog(e.python, opts));
    const result = catalogs.get(e.python)!;
    if ('problem' in result) {
      problems.push({ at: at('type'), message: result.problem });
      continue;
    }
    const p = result.catalog.providers[e.provider];
    if (!p) {
      problems.push({ at: at('provider'), message: unknownProviderMessage(e.provider, Object.keys(result.catalog.providers)) });
      continue;
    }
    if (!p.available) {
      problems.push({ at: at('provider'), message: `lexicon provider ${e.provider} needs Python packages that are not installed: \`pip install 'dns-lexicon[${e.provider}]'\`` });
      continue;
    }
    for (const o of e.options) {
      if (!p.options.includes(o)) problems.push({ at: at(o), message: unknownOptionMessage(e.provider, o, p.options) });
    }
  }
  return problems;
}
