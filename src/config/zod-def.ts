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
