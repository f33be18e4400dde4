import { z } from 'zod';
import { duration, propagation, argv, childEnvOptions } from '../schema-parts.js';

export const execProvider = () => z.strictObject({
  type: z.literal('exec'),
  command: argv.describe('argv list, or a string split into words (never given to a shell).'),
  ...childEnvOptions,
  timeout: duration.default(60_000).describe('The program is killed after this long.'),
  ttl: z.number().int().positive().default(60).describe('TTL of the challenge TXT records, in seconds.'),
  propagation,
});
