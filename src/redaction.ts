/**
 * Replaces every known secret value wherever it appears in text that leaves the process: log
 * lines, error messages (and so the failure recorded in state/, printed by `issue` and `list`,
 * and sent in notifications), hook output. Values shorter than MIN_SECRET_LENGTH are not
 * redacted: they would blank out ordinary words everywhere.
 */
export class Redactor {
  static readonly MIN_SECRET_LENGTH = 4;
  private patterns: string[] = [];
  /** Secrets to add before the next redaction (addLater). */
  private later: (() => Iterable<string>)[] = [];

  add(values: Iterable<string>): void {
    const all = new Set(this.patterns);
    for (const v of values) {
      if (v.length < Redactor.MIN_SECRET_LENGTH) continue;
      all.add(v);
      all.add(JSON.stringify(v).slice(1, -1)); // as it appears inside a JSON string
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.patterns = [...all].sort((a, b) => b.length - a.length);
  }

  /**
   * The secrets `collect` gives, added when something is first redacted: a command that writes
   * nothing to redact (`certfleet list`, its table holds no secret) never walks its config for
   * them (30 ms at 100,000 certificates, on the way to its table).
   */
  addLater(collect: () => Iterable<string>): void {
    this.later.push(collect);
  }

  redact(text: string): string {
    if (this.later.length > 0) for (const collect of this.later.splice(0)) this.add(collect());
    let out = text;
    for (const p of this.patterns) if (out.includes(p)) out = out.split(p).join('[redacted]');
    return out;
  }
}

/**
 * The process's one redactor: the CLI and the daemon add every secret of each config they load
 * (and the store key) to it, and every output path redacts through it.
 */
export const processRedactor = new Redactor();
