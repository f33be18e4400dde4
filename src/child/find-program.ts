import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/** Where spawn looks when a child's environment has no PATH (Node's documented default). */
const DEFAULT_PATH = '/usr/bin:/bin';

export type ProgramLookup = { found: string } | { problem: string };

/**
 * Finds a program the way spawn will: a name with a slash relative to the child's cwd, any
 * other name in the PATH of the child's environment (an empty entry is the cwd), the first
 * executable regular file winning. Tells why not otherwise, for check-config.
 */
export async function findProgram(program: string, opts: { path: string | undefined; cwd: string }, signal: AbortSignal): Promise<ProgramLookup> {
  if (program.includes('/')) {
    const file = path.resolve(opts.cwd, program);
    const why = await whyNotRunnable(file, signal);
    return why ? { problem: `${JSON.stringify(program)}${file === program ? '' : ` (${file})`} ${why}` } : { found: file };
  }
  const searched = opts.path ?? DEFAULT_PATH;
  let notExecutable: string | undefined;
  for (const dir of searched.split(':')) {
    const file = path.resolve(opts.cwd, dir, program);
    const why = await whyNotRunnable(file, signal);
    if (!why) return { found: file };
    if (why === 'is not executable') notExecutable ??= file;
  }
  return { problem: notExecutable ? `${JSON.stringify(program)} found as ${notExecutable}, which is not executable` : `${JSON.stringify(program)} is not in the PATH the program gets (${searched})` };
}

async function whyNotRunnable(file: string, signal: AbortSignal): Promise<string | undefined> {
  signal.throwIfAborted();
  const st = await fs.stat(file).catch((err: NodeJS.ErrnoException) => err.code ?? 'error');
  if (typeof st === 'string') return st === 'ENOENT' || st === 'ENOTDIR' ? 'does not exist' : `cannot be read (${st})`;
  if (!st.isFile()) return 'is not a regular file';
  return (await fs.access(file, constants.X_OK).then(() => true, () => false)) ? undefined : 'is not executable';
}
