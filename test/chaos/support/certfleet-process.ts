import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CERTFLEET_BIN = path.resolve(import.meta.dirname, '../../../bin/certfleet');

export interface Finished {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The JSON log lines (run with --log-format json). */
  records: { msg?: string; time?: string; [k: string]: unknown }[];
}

/**
 * Child processes a chaos test started, each stopped by its PID (SIGKILL) in `stopAll`, so a
 * failing test leaves none behind.
 */
export class ChildSet {
  private readonly children = new Set<ChildProcess>();

  start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Finished> } {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const done = new Promise<Finished>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        this.children.delete(child);
        resolve({ pid: child.pid!, code, signal, stdout, stderr, records: jsonLines(`${stdout}\n${stderr}`) });
      });
    });
    return { child, done };
  }

  certfleet(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
    return this.start(CERTFLEET_BIN, args);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const closed = new Promise((r) => c.once('close', r));
      process.kill(c.pid!, 'SIGKILL');
      await closed;
    }));
  }
}

function jsonLines(text: string): Finished['records'] {
  return text.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l) as Finished['records'][number]];
    } catch {
      return [];
    }
  });
}
