import { lazySchemaFor, schemaDef, type Schema } from './zod-def.js';

/* What the schema allows where: for "did you mean" on unknown keys and for finding where a dedented key belongs. */

const def = schemaDef;
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The schema as the file is written: through defaults, optionals and transforms to what reads the input. */
function unwrap(s: Schema): Schema {
  for (let d = def(s); ; d = def(s)) {
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!next) return s;
    s = next;
  }
}

/** A union's options that fit the value: a discriminated union's one option when the discriminator names it. */
function optionsFor(s: Schema, value: unknown): Schema[] {
  const d = def(s);
  const options = (d.options ?? []).map(unwrap);
  if (d.discriminator === undefined || !isRecord(value)) return options;
  const tag = value[d.discriminator];
  const chosen = options.filter((o) => o._zod.propValues?.[d.discriminator!]?.has(tag as never));
  return chosen.length > 0 ? chosen : options;
}

/** The keys an object at `path` may have (a union's: every fitting option's), or undefined where no object is. */
export function keysAt(root: Schema, path: readonly PropertyKey[], raw: unknown): string[] | undefined {
  let s: Schema | undefined = unwrap(root);
  let value = raw;
  for (const seg of path) {
    s = child(s, seg, value);
    if (!s) return undefined;
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  return keysOf(s, value);
}

function keysOf(s: Schema, value: unknown): string[] | undefined {
  const d = def(s);
  if (d.type === 'lazy') return keysOf(unwrap(lazySchemaFor(s, value)), value);
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type !== 'union') return undefined;
  const keys = optionsFor(s, value).flatMap((o) => keysOf(o, value) ?? []);
  return keys.length > 0 ? [...new Set(keys)] : undefined;
}

function child(s: Schema, seg: PropertyKey, value: unknown): Schema | undefined {
  const d = def(s);
  if (d.type === 'lazy') return child(unwrap(lazySchemaFor(s, value)), seg, value);
  // Own keys only: a key named `__proto__` or `constructor` is not a field of the schema.
  const found = d.type === 'object' ? (d.shape && Object.hasOwn(d.shape, String(seg)) ? d.shape[String(seg)] : undefined)
    : d.type === 'array' ? d.element
      : d.type === 'record' ? d.valueType
        : d.type === 'union' ? optionsFor(s, value).map((o) => child(o, seg, value)).find((c) => c !== undefined)
          : undefined;
  return found && unwrap(found);
}
