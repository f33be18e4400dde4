import { processRedactor } from '../redaction.js';

/** Longest line passed on whole; a program cannot make one log record of any size. */
export const MAX_LINE_CHARS = 8192;
/**
 * How much of a long line is held past the cut before it is redacted and cut, so that a secret
 * straddling the cut is still seen whole by the redactor (no real secret is this long).
 */
export const CUT_SLACK_CHARS = 4096;

/**
 * Turns a child's output, in whatever chunks the pipe delivers, into whole lines: a partial
 * line is held until its newline (or the end), so a secret printed one character at a time is
 * still one line for the redactor. Blank lines are dropped; `\r\n` counts as a newline.
 */
export class LineSplitter {
  private held = '';
  /** Inside a line that was already cut: everything up to its newline is dropped. */
  private dropping = false;

  constructor(private readonly onLine: (line: string, truncated: boolean) => void, private readonly redact: (text: string) => string = (t) => processRedactor.redact(t)) {}

  push(text: string): void {
    let rest = text;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
      const line = this.held + rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      this.held = '';
      if (this.dropping) this.dropping = false;
      else this.emit(line);
    }
    if (this.dropping) return;
    this.held += rest;
    if (this.held.length > MAX_LINE_CHARS + CUT_SLACK_CHARS) {
      this.emit(this.held);
      this.held = '';
      this.dropping = true;
    }
  }

  /** The end of the stream: a last line without a newline is passed on too. */
  end(): void {
    if (!this.dropping && this.held) this.emit(this.held);
    this.held = '';
    this.dropping = false;
  }

  private emit(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    if (line.length <= MAX_LINE_CHARS) return this.onLine(line, false);
    this.onLine(this.redact(line).slice(0, MAX_LINE_CHARS), true);
  }
}
