// What a daemon command (`run`, `webhook`) starts with, for starters that cannot pass Node.js
// flags on a command line of their own: the single executable. bin/certfleet sets the same
// (see there, and docs/benchmarks.md for what each saves).

/** The daemon commands: long-running, measured against an idle memory and CPU budget. */
const DAEMON_COMMANDS: ReadonlySet<string> = new Set(['run', 'webhook']);

export function isDaemonCommand(command: string | undefined): boolean {
  return command !== undefined && DAEMON_COMMANDS.has(command);
}

/** A young generation this small keeps an idle daemon's resident memory down; V8 reads it only at start. */
const SEMI_SPACE = '--max-semi-space-size=2';

/**
 * The environment to start the process again with, or undefined when this one already has it
 * (or `command` is no daemon). Both settings are read before any code runs: V8's heap layout and
 * glibc's malloc arenas (two, not one per thread). A setting the user made is kept.
 */
export function daemonRelaunchEnv(command: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (!isDaemonCommand(command)) return undefined;
  const options = env.NODE_OPTIONS ?? '';
  const hasSemiSpace = /(^|\s)--max-semi-space-size[= ]/.test(options);
  if (hasSemiSpace && env.MALLOC_ARENA_MAX !== undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  if (!hasSemiSpace) out.NODE_OPTIONS = options ? `${options} ${SEMI_SPACE}` : SEMI_SPACE;
  out.MALLOC_ARENA_MAX ??= '2';
  return out;
}

/**
 * V8 flags a daemon can still take once running, as `v8.setFlagsFromString` text: for `run`, no
 * Maglev or TurboFan from the first line (the daemon turns them on for a big config:
 * src/daemon/compiler-tiers.ts). Set after the bundle is compiled: V8 refuses a code cache made
 * under other compiler flags. (The idle-time memory reducer, off for a daemon, can only be turned
 * off at start: the single executable has `--no-memory-reducer` for every command, which a
 * command that exits never misses.)
 */
export function daemonRuntimeFlags(command: string | undefined): string | undefined {
  return command === 'run' ? '--no-maglev --no-turbofan' : undefined;
}
