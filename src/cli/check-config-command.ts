import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { childEnv } from '../child/child-env.js';
import { findProgram } from '../child/find-program.js';
import { formatProblem, type ConfigProblem } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { lexiconCacheDir, lexiconProblems } from '../dns/lexicon/lexicon-catalog.js';
import type { Logger } from '../log.js';
import { configFor, logFor, parseCommand } from './cli-options.js';

/**
 * Validates the config: every problem with file:line:column and field path; exit 2 when invalid.
 * Beyond the schema, each local program (hooks, exec providers) must be found and executable
 * the way spawn will look for it; a container's exec runs elsewhere and is not checked.
 */
export async function runCheckConfig(args: string[]): Promise<number> {
  const values = parseCommand(args, {});
  const config = await configFor(values);
  if (!config) return 2;
  const file = String(values.config);
  const signal = AbortSignal.timeout(30_000);
  const problems = [...await programProblems(config, file, signal), ...await lexiconConfigProblems(config, file, logFor(values, config), signal)];
  if (problems.length > 0) {
    process.stderr.write(`certfleet: invalid config:\n${problems.map(formatProblem).join('\n')}\n`);
    return 2;
  }
  process.stdout.write(`${file}: valid (${config.certificates.length} certificate${config.certificates.length === 1 ? '' : 's'}, ${Object.keys(config.dns.providers).length} DNS provider${Object.keys(config.dns.providers).length === 1 ? '' : 's'})\n`);
  return 0;
}

interface ProgramUse { at: (string | number)[]; program: string; env: Record<string, string>; cwd: string }

/** Every hook and exec-provider program that spawn would not find or could not run. */
export async function programProblems(config: Config, file: string, signal: AbortSignal): Promise<ConfigProblem[]> {
  const uses: ProgramUse[] = [];
  for (const [id, p] of Object.entries(config.dns.providers)) {
    if (p.type === 'exec') uses.push({ at: ['dns', 'providers', id, 'command'], program: p.command[0]!, env: childEnv({ passEnv: p.pass_env, env: p.env }), cwd: process.cwd() });
  }
  config.certificates.forEach((c, i) => c.deploy.forEach((d, j) => {
    if ('hook' in d) uses.push({ at: ['certificates', i, 'deploy', j, 'hook'], program: d.hook.command[0]!, env: childEnv({ passEnv: d.hook.pass_env, env: d.hook.env }), cwd: d.hook.cwd ?? process.cwd() });
  }));
  if (uses.length === 0) return [];
  const locate = locator(await readFile(file, 'utf8'));
  const problems: ConfigProblem[] = [];
  for (const u of uses) {
    const lookup = await findProgram(u.program, { path: u.env.PATH, cwd: u.cwd }, signal);
    if ('found' in lookup) continue;
    const where = locate(u.at);
    problems.push({ file, line: where.line, column: where.column, path: where.path, message: `program ${lookup.problem}` });
  }
  return problems;
}

/** Each `type: lexicon` entry's provider and option names, against lexicon's own list (cached per lexicon version). */
async function lexiconConfigProblems(config: Config, file: string, log: Logger, signal: AbortSignal): Promise<ConfigProblem[]> {
  const entries = Object.entries(config.dns.providers).flatMap(([id, p]) => (p.type === 'lexicon' ? [{ id, provider: p.provider, python: p.python, options: Object.keys(p.options) }] : []));
  if (entries.length === 0) return [];
  const found = await lexiconProblems(entries, { cacheDir: lexiconCacheDir(), log, signal });
  const locate = locator(await readFile(file, 'utf8'));
  return found.map((p) => {
    const where = locate(p.at);
    return { file, line: where.line, column: where.column, path: where.path, message: p.message };
  });
}

/**
 * The YAML node of a program: `command` in the long form, the value itself in the short form
 * of a hook; in a list, its first item (the program).
 */
function locator(text: string): (at: (string | number)[]) => { line: number; column: number; path: string } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return (at) => {
    const candidates = at.at(-1) === 'command' ? [at] : [[...at, 'command'], at];
    for (const segs of candidates) {
      const node = doc.getIn(segs, true) as { range?: [number, number]; items?: { range?: [number, number] }[] } | undefined;
      if (!node?.range) continue;
      const first = node.items?.[0];
      const target = first?.range ? { range: first.range, segs: [...segs, 0] } : { range: node.range, segs };
      const pos = lines.linePos(target.range[0]);
      return { line: pos.line, column: pos.col, path: dotted(target.segs) };
    }
    return { line: 0, column: 0, path: dotted(at) };
  };
}

function dotted(segs: (string | number)[]): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i ? '.' : ''}${s}`)).join('');
}
