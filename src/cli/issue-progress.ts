import { prettyLine, type LogFormat } from '../log.js';
import type { IssueOutcome } from '../daemon/issue-run.js';

/** Where the status block is drawn: a terminal (stderr). */
export interface ProgressStream { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number }

/** Cursor up `n` lines to column 0, then clear to the end of the screen. */
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[J` : '');

/**
 * `certfleet issue` on a terminal: one live status line per certificate (waiting for DNS,
 * validating, saved, deployed), kept below the log and redrawn in place. It is the logger's
 * output: each JSON line (already redacted) is printed above the block, pretty, and moves its
 * certificate's status on; so the pipeline reports nothing beyond its log.
 */
export class IssueProgress {
  private readonly status = new Map<string, string>();
  private drawn = 0;

  constructor(private readonly out: ProgressStream, names: readonly string[]) {
    for (const n of names) this.status.set(n, 'queued');
    this.redraw('');
  }

  /** A log line of the run (one JSON object, src/log.ts). */
  write(line: string): void {
    let rec: Record<string, unknown> | undefined;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      rec = undefined;
    }
    const cert = typeof rec?.cert === 'string' ? rec.cert : undefined;
    const next = rec && cert !== undefined && this.status.has(cert) ? statusOf(rec) : undefined;
    if (cert !== undefined && next !== undefined) this.status.set(cert, next);
    this.redraw(prettyLine(line));
  }

  /** The final status of every certificate, from its outcome; the block stays on screen. */
  finish(outcomes: readonly IssueOutcome[]): void {
    for (const o of outcomes) if (this.status.has(o.name)) this.status.set(o.name, finalStatus(o));
    this.redraw('');
    this.drawn = 0;
  }

  private redraw(above: string): void {
    const width = Math.max(...[...this.status.keys()].map((n) => n.length));
    // A pty with no size set (script(1), some CI) says 0 columns.
    const cols = this.out.columns || 80;
    const lines = [...this.status].map(([name, s]) => `${name.padEnd(width)}  ${s}`.slice(0, Math.max(1, cols - 1)));
    this.out.write(`${up(this.drawn)}${above}${lines.map((l) => `${l}\n`).join('')}`);
    this.drawn = lines.length;
  }
}

/** The status a log event gives its certificate (undefined: the event does not change it). */
function statusOf(rec: Record<string, unknown>): string | undefined {
  const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  switch (rec.msg) {
    case 'obtaining': return 'ordering';
    case 'dns_propagation_waiting': return `waiting for DNS: ${count(rec.servers)} server(s) missing ${count(rec.names)} name(s), ${String(rec.elapsed_s)} s of ${String(rec.timeout_s)} s`;
    case 'propagated': return 'DNS visible, asking the CA to validate';
    case 'acme_validation_pending': return `validating: ${count(rec.pending)} of ${String(rec.of)} pending, ${String(rec.elapsed_s)} s`;
    case 'issued': case 'renewed': return `saved (${rec.msg})`;
    case 'deploy_ok': return `deploying: ${String(rec.action)} done`;
    case 'deploy_failed': return `deploy failed: ${String(rec.action)}`;
    case 'failed': return 'FAILED';
    case 'interrupted': return 'interrupted';
    default: return undefined;
  }
}

function finalStatus(o: IssueOutcome): string {
  if (o.result === 'failed') return 'FAILED';
  if (o.result === 'skipped') return `skipped (${o.detail})`;
  const deploy = o.deploy ?? [];
  if (deploy.some((d) => d.result !== 'ok')) return `saved (${o.result}), deploy failed`;
  return deploy.length > 0 ? `deployed (${o.result})` : `saved (${o.result})`;
}

/**
 * The status block for a run, or undefined where it must not be drawn: only on a terminal, in
 * pretty mode, for several certificates. Elsewhere (a pipe, a cron mail, JSON logs) the output
 * stays the plain log.
 */
export function progressFor(stream: ProgressStream, format: LogFormat, names: readonly string[]): IssueProgress | undefined {
  return stream.isTTY === true && format === 'pretty' && names.length > 1 ? new IssueProgress(stream, names) : undefined;
}
