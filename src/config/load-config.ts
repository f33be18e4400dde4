import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isAlias, isMap, isNode, isPair, isScalar, isSeq, visit, type Document, type Scalar } from 'yaml';
import { CertfleetError, errorMessage } from '../errors.js';
import { substituteEnv } from './env-substitution.js';
import { dedentedEntryMessage, unknownKeysMessage } from './key-hints.js';
import { LEXICON_OWN_KEYS, lexiconFileOption } from './providers/lexicon.js';
import { resolveConfigPaths } from './resolve-paths.js';
import { shareDefaults } from './shared-defaults.js';
import { OPTION_PLACEHOLDER } from './schema-parts.js';
import { configSchema, crossFieldIssues, withoutExtensions, type Config } from './schema.js';
import { SCOPED_SECRET_OPTIONS, Secret, SECRET_OPTIONS, type SecretSource } from './secret.js';

export interface ConfigProblem { file: string; line: number; column: number; path: string; message: string }

export class ConfigError extends CertfleetError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super('CONFIG_INVALID', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export interface ParseOptions {
  /** Where `${VAR}` values come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Reads `<option>_file` secrets (default: the file system, relative to the config's directory). */
  readSecretFile?: (file: string) => string;
}

export async function loadConfigFile(file: string, opts: ParseOptions = {}): Promise<Config> {
  return parseConfig(await readConfigText(file), file, opts);
}

/** The config file's text; a failure to read it is a ConfigError at line 0. */
export async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read config: ${errorMessage(err)}` }]);
  }
}

/**
 * Parses, substitutes, reads secret files and validates; every problem is reported at
 * once with its file:line:column and field path. Relative paths in the result are resolved
 * against the config file's directory, and every Secret knows where its value came from.
 */
export function parseConfig(text: string, file: string, opts: ParseOptions = {}): Config {
  const lines = new LineCounter();
  // `merge`: YAML 1.1 merge keys (`<<: *defaults`), the usual way to reuse an anchor.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const problems: ConfigProblem[] = [];
  // Fields whose substitution or secret file failed: the schema's complaint about them would only repeat it.
  const failed = new Set<string>();
  const at = (offset: number, fieldPath: string, message: string) => {
    const pos = lines.linePos(offset);
    failed.add(fieldPath.replace(/_file$/, ''));
    problems.push({ file, line: pos.line, column: pos.col, path: fieldPath, message });
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) at(e.pos[0], '', e.message.split('\n')[0] ?? e.message);
    throw new ConfigError(problems);
  }
  // Field path -> where its value came from (a prefix covers a whole JSON accounts file).
  const sources = new Map<string, SecretSource>();
  substitute(doc, opts.env ?? process.env, at, (p) => sources.set(p, { kind: 'env' }));
  const read = opts.readSecretFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const base = path.dirname(path.resolve(file));
  readSecretFiles(doc, (f) => read(path.resolve(base, f)), at, (p, f) => sources.set(p, { kind: 'file', file: path.resolve(base, f) }));
  const earlier = problems.length;

  let js: unknown;
  try {
    js = doc.toJS();
  } catch (err) {
    // yaml refuses a merge key (`<<`) whose value is not a map or an alias of one.
    const bad = badMergeKey(doc);
    at(bad?.offset ?? 0, bad?.path ?? '(document)', `${bad ? '<<: ' : ''}${errorMessage(err).split('\n')[0]}`);
    throw new ConfigError(problems);
  }
  const raw: unknown = withoutExtensions(js ?? {});
  // Without zod's compiled object parsers: compiling them (new Function per object schema) cost
  // more than a process's one or two parses of the file gain from them (8-10 ms measured).
  const result = configSchema.safeParse(raw, { jitless: true });
  const issues = [...(result.success ? [] : result.error.issues), ...crossFieldIssues(raw).map((i) => ({ ...i, code: 'custom' as const }))];
  for (const issue of issues) {
    if (earlier > 0 && failed.has(dotted(issue.path) || '(document)')) continue;
    const segs = issue.path.map(String);
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.filter((k) => !failed.has(dotted([...issue.path, k.replace(/_file$/, '')]))) : [];
    if (issue.code === 'unrecognized_keys' && keys.length === 0) continue;
    at(offsetOf(doc, keys.length ? [...segs, keys[0]!] : segs, keys.length > 0), dotted(issue.path) || '(document)',
      keys.length ? unknownKeysMessage(configSchema, raw, issue.path as (string | number)[], keys) : issueMessage(raw, issue));
  }
  if (problems.length === 0 && result.success) {
    const config = resolveConfigPaths(withSources(result.data, sources, aliasesOf(doc)), file);
    config.certificates = config.certificates.map((c) => shareDefaults(c));
    return config;
  }
  problems.sort((x, y) => x.line - y.line || x.column - y.column);
  throw new ConfigError(problems);
}

/** zod's message, or a better one: a dedented option, or a secret's with its option's name. */
export function issueMessage(raw: unknown, issue: { path: PropertyKey[]; message: string }): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  return dedentedEntryMessage(configSchema, raw, path) ?? issue.message.replace(OPTION_PLACEHOLDER, String(path.at(-1) ?? 'option'));
}

type Report = (offset: number, fieldPath: string, message: string) => void;

/**
 * Where an alias stands (`from`) and the path of the anchor it repeats (`to`). A merge key
 * (`<<: *a`) stands for its map, except for the keys that map sets itself (`own`).
 */
interface AliasUse { from: string; to: string; own?: Set<string> }

/** The first merge key whose value is neither a map nor an alias (nor a list of them). */
function badMergeKey(doc: Document): { offset: number; path: string } | undefined {
  let found: { offset: number; path: string } | undefined;
  visit(doc, {
    Pair(_key, pair, ancestors) {
      if (found || !isMergeKey(pair.key)) return undefined;
      const v = pair.value;
      const ok = isMap(v) || isAlias(v) || (isSeq(v) && v.items.every((i) => isAlias(i) || isMap(i)));
      if (!ok) found = { offset: (pair.key as Scalar).range?.[0] ?? 0, path: fieldPath([...ancestors], undefined) || '(document)' };
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

/** With `merge: true` the key of `<<: *a` is a symbol, not the text `<<`. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.value === '<<');
}

function aliasesOf(doc: Document): AliasUse[] {
  const anchored = new Map<unknown, string>();
  visit(doc, { Node(_key, node, ancestors) { if (node.anchor) anchored.set(node, fieldPath(ancestors, node)); } });
  const uses: AliasUse[] = [];
  visit(doc, {
    Alias(_key, node, ancestors) {
      const to = anchored.get(node.resolve(doc));
      if (to === undefined) return;
      const pair = [...ancestors].reverse().find((n) => isPair(n));
      if (!isPair(pair) || !isMergeKey(pair.key)) return void uses.push({ from: fieldPath(ancestors, node), to });
      // `<<: *a` or `<<: [*a, *b]`: the alias stands for the map that holds the merge key.
      const map = ancestors[ancestors.indexOf(pair) - 1];
      const own = new Set(isMap(map) ? map.items.flatMap((p) => (isScalar(p.key) && !isMergeKey(p.key) ? [String(p.key.value)] : [])) : []);
      uses.push({ from: fieldPath(ancestors.slice(0, ancestors.indexOf(pair) - 1), map), to, own });
    },
  });
  return uses;
}

/**
 * Replaces each Secret of the validated config by one that carries its source (inline unless
 * recorded). A secret reached through an alias (an anchor under `x-…`) has its anchor's source.
 */
function withSources<T>(value: T, sources: ReadonlyMap<string, SecretSource>, aliases: AliasUse[] = [], at = ''): T {
  // A lexicon entry's options are written beside `provider` and validated into `options`.
  const recorded = (p: string): SecretSource | undefined => sources.get(p) ?? sources.get(p.replace(/^(dns\.providers\.[^.]+)\.options\./, '$1.'))
    ?? [...sources].find(([q]) => p.startsWith(`${q}.`) || p.startsWith(`${q}[`))?.[1];
  const sourceOf = (p: string, depth = 0): SecretSource => {
    const direct = recorded(p);
    if (direct || depth > 10) return direct ?? { kind: 'inline' };
    for (const a of aliases) {
      if (p !== a.from && !p.startsWith(a.from ? `${a.from}.` : '') && !p.startsWith(`${a.from}[`)) continue;
      const rest = p.slice(a.from.length);
      if (a.own?.has(/^\.?([^.[]+)/.exec(rest)?.[1] ?? '')) continue;
      const to = a.to + (a.to || !rest.startsWith('.') ? rest : rest.slice(1));
      const found = sourceOf(to, depth + 1);
      if (found.kind !== 'inline' || recorded(to) !== undefined) return found;
    }
    return { kind: 'inline' };
  };
  const walk = (v: unknown, p: string): unknown => {
    if (v instanceof Secret) return new Secret(v.reveal(), sourceOf(p));
    if (Array.isArray(v)) v.forEach((x, i) => { v[i] = walk(x, `${p}[${i}]`); });
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = walk(x, p ? `${p}.${k}` : k);
    return v;
  };
  return walk(value, at) as T;
}

/** `${VAR}` in values (never in keys); `env_prefixes` itself is read literally. */
function substitute(doc: Document, env: NodeJS.ProcessEnv, report: Report, substituted: (fieldPath: string) => void): void {
  const declared = doc.get('env_prefixes');
  const list = isNode(declared) ? (declared.toJSON() as unknown) : declared;
  const prefixes = Array.isArray(list) && list.length > 0 && list.every((p) => typeof p === 'string' && p.length > 0) ? list as string[] : ['CERTFLEET_'];
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === 'env_prefixes') return visit.SKIP;
      return undefined;
    },
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const result = substituteEnv(node.value, env, prefixes, secretOptionOf(ancestors));
      if ('error' in result) return report(node.range?.[0] ?? 0, fieldPath(ancestors, node) || '(document)', result.error);
      if (!result.used) return;
      substituted(fieldPath(ancestors, node));
      node.value = node.type === 'PLAIN' ? plainScalar(result.value) : result.value;
    },
  });
}

/** The option a scalar is the value of, when that option is a secret (a lexicon entry's options all are). */
function secretOptionOf(ancestors: readonly unknown[]): string | undefined {
  const pair = ancestors.at(-1);
  const map = ancestors.at(-2);
  if (!isPair(pair) || !isScalar(pair.key)) return undefined;
  const key = String(pair.key.value);
  if ((SECRET_OPTIONS as readonly string[]).includes(key)) return key;
  if (SCOPED_SECRET_OPTIONS[fieldPath(ancestors.slice(0, -2), map)]?.includes(key)) return key;
  const lexicon = isMap(map) && map.get('type') === 'lexicon' && !(LEXICON_OWN_KEYS as readonly string[]).includes(key);
  return lexicon ? key : undefined;
}

/** An unquoted `${VAR}` takes the type the text would have had: `ttl: ${CERTFLEET_TTL}` is a number. */
function plainScalar(text: string): string | number | boolean {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** Replaces `<secret>_file: PATH` by `<secret>: <file content>` (one trailing newline dropped). */
function readSecretFiles(doc: Document, read: (file: string) => string, report: Report, readFrom: (fieldPath: string, file: string) => void): void {
  visit(doc, {
    Map(_key, map, ancestors) {
      // Every option of a lexicon entry is a secret: certfleet cannot tell which of lexicon's hold credentials.
      const lexicon = map.get('type') === 'lexicon';
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : '';
        // acme-dns credentials come as a JSON file (the format lego and certbot-dns-acmedns write).
        const json = k === 'accounts_file';
        const option = json ? 'accounts' : SECRET_OPTIONS.find((o) => k === `${o}_file`) ?? SCOPED_SECRET_OPTIONS[fieldPath(ancestors, map)]?.find((o) => k === `${o}_file`) ?? (lexicon ? lexiconFileOption(k) : undefined);
        if (!option) continue;
        const value = pair.value as Scalar | null;
        const offset = value?.range?.[0] ?? (pair.key as Scalar).range?.[0] ?? 0;
        if (map.has(option)) {
          report((pair.key as Scalar).range?.[0] ?? 0, fieldPath([...ancestors, map, pair], undefined), `give either ${option} or ${k}, not both`);
          continue;
        }
        if (!isScalar(value) || typeof value.value !== 'string' || value.value === '') {
          report(offset, fieldPath([...ancestors, map, pair], undefined), `expected a file path`);
          continue;
        }
        const file = value.value;
        let content: string;
        try {
          content = read(file).replace(/\r?\n$/, '');
        } catch (err) {
          report(offset, fieldPath([...ancestors, map, pair], undefined), `cannot read secret file ${JSON.stringify(value.value)}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
          continue;
        }
        if (json) {
          try {
            pair.value = doc.createNode(JSON.parse(content));
          } catch {
            report(offset, fieldPath([...ancestors, map, pair], undefined), `${JSON.stringify(value.value)} is not valid JSON`);
            continue;
          }
        } else {
          value.value = content;
        }
        const parent = fieldPath([...ancestors, map], undefined);
        readFrom(parent ? `${parent}.${option}` : option, file);
        (pair.key as Scalar).value = option;
      }
      return undefined;
    },
  });
}

/** The dotted field path of a node, from the visitor's ancestors. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  const segs: (string | number)[] = [];
  const chain = [...ancestors, node];
  chain.forEach((n, i) => {
    if (isPair(n) && isScalar(n.key)) segs.push(String(n.key.value));
    else if (isSeq(n) && i + 1 < chain.length) segs.push(n.items.indexOf(chain[i + 1]));
  });
  return dotted(segs);
}

/** Offset of the deepest existing node on `path` (the key itself when `atKey`). */
function offsetOf(doc: Document, path: string[], atKey = false): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: number[] } | null)?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    const items = (node as { items?: unknown[] } | null)?.items;
    if (!items) break;
    const pair = items.find((it) => isPairWithKey(it, seg));
    if (pair) {
      const p = pair as { key: { range?: number[] }; value: unknown };
      const last = i === path.length - 1;
      const target = last && atKey ? p.key : (p.value as { range?: number[] } | null) ?? p.key;
      offset = target?.range?.[0] ?? offset;
      node = p.value;
      continue;
    }
    const item = /^\d+$/.test(seg) ? items[Number(seg)] : undefined;
    if (isNode(item)) {
      offset = item.range?.[0] ?? offset;
      node = item;
      continue;
    }
    break;
  }
  return offset;
}

function isPairWithKey(item: unknown, key: string): boolean {
  const k = (item as { key?: { value?: unknown } } | null)?.key;
  return k !== undefined && String(k?.value) === key;
}

function dotted(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
