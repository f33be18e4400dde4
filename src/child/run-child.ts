import { spawn } from 'node:child_process';
import type { Logger } from '../log.js';
import { LineSplitter } from './line-splitter.js';

export interface RunChildOptions {
  /** The program and its arguments: argv, never given to a shell. */
  argv: readonly string[];
  /** The whole environment of the child (see childEnv). */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  /** Each line of its stdout and stderr goes here (the logger redacts it). */
  log: Logger;
  signal: AbortSignal;
}

/** How a child ended; the caller turns it into its own error. */
export type ChildOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'timed-out' }
  | { kind: 'aborted' }
  | { kind: 'not-started'; reason: string };

/** After SIGTERM, how long a child has to exit before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Runs a program to its end: output logged line by line (whole lines, so the redactor sees a
 * secret whole however slowly it is printed), SIGTERM then SIGKILL after the timeout or on abort.
 */
export function runChild(opts: RunChildOptions): Promise<ChildOutcome> {
  const [program, ...args] = opts.argv;
  return new Promise((resolve) => {
    if (opts.signal.aborted) return resolve({ kind: 'aborted' });
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    for (const stream of ['stdout', 'stderr'] as const) {
      // The line is a field, not the message: a log line's message is its event name (issue 19).
      const lines = new LineSplitter((line, truncated) => opts.log.info({ stream, line, ...(truncated ? { truncated } : {}) }, 'child_output'));
      child[stream].setEncoding('utf8');
      child[stream].on('data', (text: string) => lines.push(text));
      child[stream].on('end', () => lines.end());
    }
    let stopped: 'timed-out' | 'aborted' | undefined;
    const stop = (why: 'timed-out' | 'aborted') => {
      stopped ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timed-out'), opts.timeoutMs);
    const onAbort = () => stop('aborted');
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const done = (outcome: ChildOutcome) => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // 'error' also comes for a failed kill of a running child; only a failed start ends it here.
      if (child.pid !== undefined) return;
      done({ kind: 'not-started', reason: err.code === 'ENOENT' ? `no such program${opts.cwd ? ` (or no directory ${opts.cwd})` : ''}` : err.code === 'EACCES' ? 'not executable' : err.message });
    });
    child.on('close', (code, signal) => {
      if (child.pid === undefined) return;
      done(stopped ? { kind: stopped } : { kind: 'exited', code, signal });
    });
  });
}
