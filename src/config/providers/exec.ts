import { z } from 'zod';
import { duration, propagation, argv, childEnvOptions } from '../schema-parts.js';

export const execProvider = z.strictObject({
  type: z.literal('exec'),
  /** argv list, or a string split into words (never given to a shell). */
  command: argv,
  ...childEnvOptions,
  timeout: duration.default(60_000),
  ttl: z.number().int().positive().default(60),
  propagation,
});
