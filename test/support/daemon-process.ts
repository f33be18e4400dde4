import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { registerOutput } from './secret-scan.js';

const bin = path.resolve(import.meta.dirname, '../../bin/certfleet');

/** `bin/certfleet run` as a child process, with its JSON log lines kept for assertions. */
export class DaemonProcess {
  readonly lines: string[] = [];
  readonly records: Record<string, unknown>[] = [];
  private waiters: { match: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    registerOutput(this.lines);
    let partial = '';
    child.stderr!.on('data', (b: Buffer) => {
      partial += b.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) this.take(line);
    });
    child.stdout!.on('data', (b: Buffer) => this.lines.push(b.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(configFile: string, env: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): DaemonProcess {
    return new DaemonProcess(spawn(bin, ['run', '--config', configFile, '--log-format', 'json', ...extraArgs], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    }));
  }

  /** The first record (already seen or still to come) that matches; fails after `timeoutMs`. */
  waitFor(match: (r: Record<string, unknown>) => boolean, timeoutMs = 30_000, from = 0): Promise<Record<string, unknown>> {
    const seen = this.records.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line after ${timeoutMs} ms; last lines:\n${this.lines.slice(-15).join('\n')}`)), timeoutMs);
      this.waiters.push({ match, resolve: (r) => { clearTimeout(timer); resolve(r); } });
    });
  }

  msg(msg: string, fields: Record<string, unknown> = {}): (r: Record<string, unknown>) => boolean {
    return (r) => r.msg === msg && Object.entries(fields).every(([k, v]) => r[k] === v);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  private take(line: string): void {
    this.lines.push(line);
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    this.records.push(rec);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(rec)) return true;
      w.resolve(rec);
      return false;
    });
  }
}
