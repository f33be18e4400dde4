import { z } from 'zod';
import { normalizeDomain } from '../domain-name.js';
import { parseDuration } from './duration.js';
import { Secret } from './secret.js';
import { ENV_NAME } from '../child/child-env.js';
import { findShellSyntax, splitWords } from './split-words.js';

/* The value types that config sections share: provider entries (config/providers/) and the rest of the schema. */

/**
 * Placeholder for the option's name in a secret's message: the loader puts the key there, since
 * an error map does not know the path yet ("or api_key_file").
 */
export const OPTION_PLACEHOLDER = '<option>';

/**
 * A secret option: a non-empty string (or a number written unquoted) that becomes a Secret. The
 * union's own message would be "Invalid input"; a missing secret names the three ways to give one.
 */
export const secret = z.union([z.string().min(1, 'expected a non-empty string'), z.number()], {
  error: (iss) => (iss.input === undefined ? `required: a secret (the value, \${VAR}, or ${OPTION_PLACEHOLDER}_file)` : 'expected a non-empty string'),
}).transform((v) => new Secret(String(v)));

export const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 2m, 1h or 7d, got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return ms;
});

export const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+)(|:\d{1,5})$/, 'expected host or host:port');
/** Where a server listens: the port is required (a listener never guesses one). */
export const listenAddress = z.string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port to listen on, like 127.0.0.1:9180 ([::1]:9180 for IPv6; port 0 picks a free one)')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65_535, 'expected a port from 0 to 65535');

export const domain = z.string().transform((s, ctx) => {
  try {
    return normalizeDomain(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const propagation = z.strictObject({
  nameservers: z.array(hostPort).optional().describe('Servers to ask whether the record is visible; default: the zone\'s authoritative nameservers.'),
  timeout: duration.default(120_000).describe('How long to wait for the record to be visible everywhere.'),
}).default({ timeout: 120_000 }).describe('The wait, after writing a challenge record, until every nameserver serves it.');

export const argvList = z.array(z.string().min(1)).min(1);

/**
 * The words of a command string (never given to a shell). Shell syntax in it is refused with
 * the two ways to say what is meant: splitting would pass `&&` or `$(…)` to the program as an
 * argument, silently. Issues are `continue: true` so a union reports them instead of its own.
 */
export function commandWords(s: string, ctx: z.RefinementCtx): string[] | undefined {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message, continue: true });
    return undefined;
  };
  const syntax = findShellSyntax(s);
  if (syntax) {
    return fail(`${JSON.stringify(s)} contains ${syntax === 'a line break' ? 'a line break (a command separator to a shell)' : `the shell syntax ${JSON.stringify(syntax)}`}, but a command never runs through a shell: it would reach the program as a literal argument. `
      + `Write an argv list ([program, arg, ...]) if it is meant literally, or run a shell on purpose: [/bin/sh, -c, ${JSON.stringify(s)}]`);
  }
  try {
    const words = splitWords(s);
    return words.length === 0 ? fail('empty command') : words;
  } catch (err) {
    return fail((err as Error).message);
  }
}

export const ARGV_ERROR = 'expected an argv list, or a command string (split into words, never given to a shell)';
export const argv = z.union([argvList, z.string().min(1).transform((s, ctx) => commandWords(s, ctx) ?? z.NEVER)], { error: ARGV_ERROR });

/** A child's environment beyond the allow-list (src/child/child-env.ts): `env` sets, `pass_env` copies by name. */
const envName = z.string().regex(ENV_NAME, 'expected a variable name like MY_TOKEN');
export const childEnvOptions = {
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}).describe('Variables set for the program.'),
  pass_env: z.array(envName).default([]).describe('Names of variables copied from certfleet\'s environment.'),
};
