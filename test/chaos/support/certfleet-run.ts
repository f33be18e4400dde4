import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { registerOutput } from '../../support/secret-scan.js';

const bin = path.resolve(import.meta.dirname, '../../../bin/certfleet');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * One `bin/certfleet` process (the esbuild bundle: rebuild it after changing src). Its output is
 * kept for assertions and for the suite's secret scan; it is stopped by its PID only.
 */
export class CertfleetRun {
  readonly done: Promise<RunResult>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<{ pattern: RegExp; resolve: (seen: boolean) => void }>();
  private stderr = '';

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    const started = performance.now();
    registerOutput(this.lines);
    this.child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    this.child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); this.lines.push(b.toString()); });
    this.child.stderr!.on('data', (b: Buffer) => {
      this.stderr += b.toString();
      this.lines.push(b.toString());
      for (const w of [...this.waiters]) if (w.pattern.test(this.stderr)) w.resolve(true);
    });
    this.done = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr: this.stderr, ms: performance.now() - started })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether stderr shows `pattern` within `timeoutMs` (false: not by then, or the process ended first). */
  async stderrShows(pattern: RegExp, timeoutMs: number): Promise<boolean> {
    if (pattern.test(this.stderr)) return true;
    let waiter!: { pattern: RegExp; resolve: (seen: boolean) => void };
    const seen = new Promise<boolean>((resolve) => { waiter = { pattern, resolve }; });
    this.waiters.add(waiter);
    const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
    void this.done.then(() => waiter.resolve(pattern.test(this.stderr)));
    try {
      return await seen;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    }
  }

  /** Sends `signal` unless the process has exited already. */
  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** The result; a process still running after `timeoutMs` is SIGKILLed and reported as such. */
  async result(timeoutMs: number): Promise<RunResult> {
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `bin/certfleet issue --config <file> [...more]`, to its end. */
export function issue(configFile: string, more: string[] = [], timeoutMs = 60_000): Promise<RunResult> {
  return new CertfleetRun(['issue', '--config', configFile, '--log-format', 'json', ...more]).result(timeoutMs);
}
