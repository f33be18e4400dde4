import type { z } from 'zod';

/*
 * The parts of a zod schema's definition that the config tools read (what is allowed where, the
 * generated key reference): zod 4 keeps them in `_zod.def`, typed per schema kind.
 */

export type Schema = z.core.$ZodType;

export interface SchemaDef {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
  element?: Schema;
  valueType?: Schema;
  catchall?: Schema;
  discriminator?: string;
  defaultValue?: unknown;
}

export const schemaDef = (s: Schema): SchemaDef => s._zod.def;

/**
 * Lazy schemas that stand for a different schema per value (provider-schema.ts: one type's union
 * per `type`): what the key hints should read instead of the lazy schema's whole inner type.
 */
const dispatchers = new WeakMap<Schema, (value: unknown) => Schema>();

export function dispatchBy(schema: Schema, pick: (value: unknown) => Schema): void {
  dispatchers.set(schema, pick);
}

/** The schema that reads `value` where a lazy `s` stands: its dispatcher's pick, else its inner type. */
export function lazySchemaFor(s: Schema, value: unknown): Schema {
  return dispatchers.get(s)?.(value) ?? (s._zod as unknown as { innerType: Schema }).innerType;
}
