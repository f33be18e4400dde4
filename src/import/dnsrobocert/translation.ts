import type { Path } from './validate-schema.js';

/**
 * What a translation collects besides the config: comments for the output (at output paths),
 * notes on DNSroboCert keys that have no certfleet counterpart, and problems that stop the
 * import (both at DNSroboCert paths, so they can say file:line:column).
 */
export class Translation {
  readonly comments: { path: Path; text: string }[] = [];
  readonly notes: { at: Path; text: string }[] = [];
  readonly problems: { at: Path; text: string }[] = [];

  comment(path: Path, text: string): void {
    this.comments.push({ path, text });
  }

  note(at: Path, text: string): void {
    this.notes.push({ at, text });
  }

  problem(at: Path, text: string): void {
    this.problems.push({ at, text });
  }
}
