import { readFile } from 'node:fs/promises';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../config/load-config.js';
import { errorMessage } from '../../errors.js';
import { checkBusinessRules } from './business-rules.js';
import { DNSROBOCERT_SCHEMA, type DrcConfig } from './dnsrobocert-schema.js';
import { validateShape, type Path } from './validate-schema.js';

/** A DNSroboCert file that DNSroboCert would accept, and where each of its fields is. */
export interface DrcFile {
  file: string;
  config: DrcConfig;
  /** A field's position (its key when `atKey`); the deepest existing ancestor's when it is missing. */
  locate(path: Path, atKey?: boolean): { line: number; column: number };
}

export async function readDnsrobocert(file: string, signal: AbortSignal): Promise<DrcFile> {
  let text: string;
  try {
    text = await readFile(file, { encoding: 'utf8', signal });
  } catch (err) {
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read DNSroboCert config: ${errorMessage(err)}` }]);
  }
  return parseDnsrobocert(text, file);
}

/**
 * Parses as DNSroboCert does (PyYAML reads YAML 1.1: `0644` is octal, `yes` is true) and
 * validates against its schema and business rules. Every problem is reported at once, as
 * file:line:column and field path; duplicate keys too (PyYAML kept the last one silently).
 */
export function parseDnsrobocert(text: string, file: string): DrcFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const problems: ConfigProblem[] = [];
  const at = (offset: number, path: Path, message: string) => {
    const pos = lines.linePos(offset);
    problems.push({ file, line: pos.line, column: pos.col, path: dotted(path), message });
  };
  for (const e of doc.errors) at(e.pos[0], [], e.message.split('\n')[0] ?? e.message);
  if (problems.length > 0) throw new ConfigError(problems);
  const locate = (path: Path, atKey = false) => {
    const pos = lines.linePos(offsetOf(doc, path, atKey));
    return { line: pos.line, column: pos.col };
  };
  const value: unknown = doc.toJS();
  const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0);
  if (empty) throw new ConfigError([{ file, line: 1, column: 1, path: '', message: 'the DNSroboCert config is empty (DNSroboCert refuses it)' }]);
  const report = (path: Path, message: string, atKey = false) => at(offsetOf(doc, path, atKey), path, message);
  validateShape(value, DNSROBOCERT_SCHEMA, [], report);
  if (problems.length === 0) checkBusinessRules(value, report);
  if (problems.length > 0) {
    problems.sort((x, y) => x.line - y.line || x.column - y.column);
    throw new ConfigError(problems);
  }
  return { file, config: value, locate };
}

function offsetOf(doc: Document, path: Path, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] ?? 0 : 0;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const target = i === path.length - 1 && atKey ? pair.key : pair.value ?? pair.key;
      if (isNode(target)) offset = target.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

export function dotted(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
}
