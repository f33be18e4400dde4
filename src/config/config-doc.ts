import { z } from 'zod';
import { providerUnion } from './provider-schema.js';
import { duration } from './schema-parts.js';
import { configSchema } from './schema.js';
import { SCOPED_SECRET_OPTIONS, SECRET_OPTIONS } from './secret.js';
import { lazySchemaFor, schemaDef, type Schema } from './zod-def.js';

/*
 * The key reference of docs/config.md, generated from the zod schema (the one place keys,
 * defaults and descriptions live), so the documentation cannot drift from what the loader reads.
 */

interface Row { key: string; type: string; default: string; description: string }

export const BEGIN_MARKER = '<!-- BEGIN GENERATED: key reference. Edit the descriptions in src/config/, then run: npx tsc -p tsconfig.build.json && node scripts/config-doc.mjs -->';
export const END_MARKER = '<!-- END GENERATED: key reference -->';

const def = schemaDef;
/** What every duration reads (a string): one instance, shared by all of them. */
const DURATION_INPUT = def(duration).in;

/** Through optional, default and transforms to what reads the input; the outermost description and default on the way. */
function peel(s: Schema): { leaf: Schema; description: string | undefined; default: unknown; optional: boolean } {
  let description: string | undefined;
  let dflt: unknown;
  let optional = false;
  for (;;) {
    description ??= z.globalRegistry.get(s)?.description;
    const d = def(s);
    if (d.type === 'default' || d.type === 'prefault') dflt ??= d.defaultValue;
    if (d.type === 'optional' || d.type === 'default') optional = true;
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : d.type === 'lazy' ? lazySchemaFor(s, undefined) : undefined);
    if (!next) return { leaf: s, description, default: dflt, optional };
    s = next;
  }
}

const isObject = (s: Schema) => def(s).type === 'object';

/** A short type, from the JSON Schema of the input the leaf reads. */
function typeOf(leaf: Schema, key: string, prefix = ''): string {
  if (leaf === DURATION_INPUT) return 'duration (`90s`, `2m`, `1h`, `7d`)';
  if ((SECRET_OPTIONS as readonly string[]).includes(key) || key === '<option>' || SCOPED_SECRET_OPTIONS[prefix]?.includes(key)) return `secret (or \`${key}_file\`)`;
  const json = z.toJSONSchema(leaf, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return describeJson(json);
}

function describeJson(j: Record<string, unknown>): string {
  if (Array.isArray(j.enum)) return j.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (j.const !== undefined) return `\`${JSON.stringify(j.const)}\``;
  const alternatives = (j.anyOf ?? j.oneOf) as Record<string, unknown>[] | undefined;
  if (alternatives) return [...new Set(alternatives.map(describeJson))].join(' or ');
  if (j.pattern === '^0?[0-7]{3}$') return 'mode (quoted octal)';
  if (j.type === 'array') return `list of ${describeJson((j.items ?? {}) as Record<string, unknown>)}`;
  if (j.type === 'object') return j.properties ? 'map' : `map of ${describeJson((j.additionalProperties ?? {}) as Record<string, unknown>)}`;
  if (Array.isArray(j.type)) return j.type.join(' or ');
  if (j.format === 'uri') return 'URL';
  if (j.format === 'email') return 'email';
  return typeof j.type === 'string' ? j.type : 'any';
}

/** Durations and modes default to their parsed value (ms, a number): shown as they are written. */
function defaultText(value: unknown, leaf: Schema, key: string, optional: boolean): string {
  if (value === undefined) return optional ? '—' : 'required';
  const json = z.toJSONSchema(leaf, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  if (typeof value === 'number' && json.type === 'string') return json.pattern === '^0?[0-7]{3}$' ? `\`"0${value.toString(8)}"\`` : `\`${durationText(value)}\``;
  if (isObject(leaf) || key === 'propagation') return '—';
  return `\`${JSON.stringify(value)}\``;
}

function durationText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Rows for every key under `s` (an object, a list of them, a map of them, a union of them), deepest last. */
function rows(s: Schema, prefix: string, into: Row[] = []): Row[] {
  const d = def(s);
  if (d.type === 'object') {
    for (const [key, child] of Object.entries(d.shape ?? {})) {
      const p = peel(child);
      const path = prefix ? `${prefix}.${key}` : key;
      into.push({ key: path, type: typeOf(p.leaf, key, prefix), default: defaultText(p.default, p.leaf, key, p.optional), description: p.description ?? '' });
      if (path !== 'dns.providers') rows(p.leaf, path, into);
    }
    if (d.catchall && def(d.catchall).type !== 'never' && def(d.catchall).type !== 'unknown') {
      const p = peel(d.catchall);
      into.push({ key: `${prefix}.<option>`, type: typeOf(p.leaf, '<option>'), default: '—', description: p.description ?? '' });
    }
  } else if (d.type === 'array') {
    rows(peel(d.element!).leaf, `${prefix}[]`, into);
  } else if (d.type === 'record') {
    const value = peel(d.valueType!).leaf;
    if (def(value).type === 'object') rows(value, `${prefix}.<name>`, into);
  } else if (d.type === 'union') {
    // Each option's keys once (a deploy item's kinds; a hook's long form).
    const before = new Set(into.map((r) => r.key));
    for (const option of d.options ?? []) rows(peel(option).leaf, prefix, into);
    // The options themselves are alternatives: none is required.
    for (const r of into) if (!before.has(r.key) && r.default === 'required' && !r.key.slice(prefix.length + 1).includes('.')) r.default = '—';
    const seen = new Set<string>();
    for (let i = into.length - 1; i >= 0; i--) {
      const key = into[i]!.key;
      if (before.has(key)) continue;
      if (seen.has(key)) into.splice(i, 1);
      seen.add(key);
    }
  }
  return into;
}

function table(list: Row[], strip = ''): string {
  const lines = ['| key | type | default | description |', '| --- | --- | --- | --- |'];
  for (const r of list) lines.push(`| \`${r.key.slice(strip.length)}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
  return lines.join('\n');
}

/** The generated section: the general keys, then one table per provider type. */
export function configReference(): string {
  const general = rows(configSchema, '');
  const providers = (def(providerUnion() as unknown as Schema).options ?? []).map((o) => {
    const leaf = peel(o).leaf;
    const type = [...(leaf._zod.propValues?.type ?? [])].map(String)[0] ?? '?';
    const own = rows(leaf, 'dns.providers.<name>').filter((r) => r.key !== 'dns.providers.<name>.type');
    return `### \`type: ${type}\`\nSee [providers/${type}.md](providers/${type}.md).\n\n${table(own, 'dns.providers.<name>.')}`;
  });
  return [
    BEGIN_MARKER,
    '',
    '## Key reference',
    'Every key the loader reads, from the schema itself: `<name>` is a name of your choosing, `[]` a list item.',
    'A secret also accepts `<option>_file: PATH` (see [Secrets](#secrets)).',
    '',
    table(general),
    '',
    '## Provider options',
    'Keys of a `dns.providers.<name>` entry, by `type`.',
    '',
    providers.join('\n\n'),
    '',
    END_MARKER,
  ].join('\n');
}

/** docs/config.md with its generated section replaced (added at the end when it has none). */
export function withReference(doc: string, reference = configReference()): string {
  const start = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${reference}\n`;
  return doc.slice(0, start) + reference + doc.slice(end + END_MARKER.length);
}
