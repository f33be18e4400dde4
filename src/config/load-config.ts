import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { CertfleetError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

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

export async function loadConfigFile(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read config: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file);
}

/** Parses and validates; every problem is reported at once with its location. */
export function parseConfig(text: string, file: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const pos = at(e.pos[0]);
      return { file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message };
    }));
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const pos = at(offsetOf(doc, keys.length ? [...path, keys[0]!] : path, keys.length > 0));
    return { file, line: pos.line, column: pos.col, path: dotted(issue.path), message: keys.length ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message };
  }));
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
