import { hasEnvReference } from './env-references.js';
import type { JsonType, Shape } from './dnsrobocert-schema.js';

export type Path = (string | number)[];
/** A problem at a field; `atKey` when the key itself is wrong (an unknown key). */
export type Report = (path: Path, message: string, atKey?: boolean) => void;

/**
 * Checks a parsed DNSroboCert file against its schema the way its jsonschema validation does
 * (types, required and unknown keys, enums, patterns), reporting every problem instead of the
 * first. A string holding `${VAR}` stands for whatever the variable holds, so it passes any
 * scalar type and skips patterns: DNSroboCert substitutes before it validates.
 */
export function validateShape(value: unknown, shape: Shape, path: Path, report: Report): void {
  const type = jsonTypeOf(value);
  const scalarWanted = shape.types.some((t) => t !== 'object' && t !== 'array');
  if (hasEnvReference(value) && scalarWanted) return;
  if (!shape.types.some((t) => matches(t, type, value))) {
    report(path, `expected ${shape.types.map(article).join(' or ')}, got ${type === 'null' ? 'nothing (null)' : article(type)}`);
    return;
  }
  if (shape.enum && !shape.enum.includes(value as string | number)) {
    report(path, `expected one of ${shape.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`);
    return;
  }
  if (shape.pattern && typeof value === 'string' && !shape.pattern.test(value)) {
    report(path, `expected ${shape.pattern.expected}, got ${JSON.stringify(value)}`);
    return;
  }
  if (Array.isArray(value) && shape.items) {
    const items = shape.items;
    value.forEach((v, i) => validateShape(v, items, [...path, i], report));
    return;
  }
  if (type !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const key of shape.required ?? []) {
    if (!(key in record)) report(path, `missing required key ${JSON.stringify(key)}`);
  }
  for (const [key, v] of Object.entries(record)) {
    const sub = shape.properties?.[key];
    if (sub) validateShape(v, sub, [...path, key], report);
    else if (shape.closed) report([...path, key], `unknown key ${JSON.stringify(key)}; expected ${Object.keys(shape.properties ?? {}).join(', ')}`, true);
  }
}

type ValueType = JsonType | 'null';

function jsonTypeOf(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return 'object';
}

/** As jsonschema: an integer is also a number; a boolean is neither. */
function matches(wanted: JsonType, actual: ValueType, value: unknown): boolean {
  if (wanted === 'number') return typeof value === 'number';
  return wanted === actual;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
