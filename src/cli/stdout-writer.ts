import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

/**
 * A command's output to stdout, for output of any size, that ends quietly when the reader has
 * gone (`certfleet list | head`): EPIPE stops the output instead of ending the process with a
 * stack trace.
 *
 * To a pipe it writes synchronously through a second, blocking open of that pipe
 * (`/proc/self/fd/1`): process.stdout makes a pipe non-blocking and, once the pipe is full,
 * writes 64 KiB per turn of the event loop after the command's own work. A 100,000-row table
 * (10 MB) took 0.13–0.25 s more into `| wc -l` than into a file that way. A socket (a parent
 * process's stdio), a file or a terminal goes through process.stdout.
 */
export class StdoutWriter {
  private readonly fd: number | undefined;
  /** The reader of the reopened pipe is gone: nothing more is written. */
  private closed = false;

  constructor() {
    this.fd = reopenedPipe();
  }

  /**
   * False once the reader is gone (the rest is dropped). Through process.stdout, EPIPE is main()'s
   * to take quietly (quietWhenReaderGoes); the stream is destroyed then.
   */
  write(text: string): boolean {
    if (this.fd === undefined) {
      if (process.stdout.destroyed) return false;
      process.stdout.write(text);
      return true;
    }
    if (this.closed) return false;
    const bytes = Buffer.from(text, 'utf8');
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
      this.closed = true;
    }
    return !this.closed;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** stdout opened again, blocking, when it is a pipe (FIFO); undefined otherwise or where that fails. */
function reopenedPipe(): number | undefined {
  try {
    if (!fstatSync(1).isFIFO()) return undefined;
    return openSync('/proc/self/fd/1', 'w');
  } catch {
    return undefined;
  }
}
