import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/** A server we started: its output is kept for error messages, and it is stopped by PID. */
export class ProcessHandle {
  readonly output: string[] = [];

  private constructor(readonly name: string, readonly child: ChildProcess) {
    const keep = (b: Buffer) => { this.output.push(b.toString()); if (this.output.length > 200) this.output.shift(); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ProcessHandle {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ProcessHandle(name, child);
  }

  /** Polls `ready` until true; fails with the server's output if it exits or takes too long. */
  async waitReady(ready: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.output.join('')}`);
      if (await ready().catch(() => false)) return;
      await delay(50);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output.join('')}`);
  }

  /** SIGTERM (SIGKILL after 5 s), or `signal`; resolves once the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Starts a server up to `attempts` times: a free port can be taken by someone else
 * between our probe and the server's bind, so a start that fails gets fresh ports.
 */
export async function startWithRetry<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}
