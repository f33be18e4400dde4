import { describe, expect, it } from 'vitest';
import type { IssueOutcome } from '../daemon/issue-run.js';
import { createLogger } from '../log.js';
import { IssueProgress, progressFor } from './issue-progress.js';

const ESC = String.fromCharCode(27);
const UP_AND_CLEAR = new RegExp(`${ESC}\\[(\\d+)F${ESC}\\[J`);

/** A terminal that applies the two escapes the renderer uses, so the test reads the screen. */
class FakeTty {
  readonly isTTY = true;
  readonly columns = 100;
  writes: string[] = [];
  screen: string[] = [];

  write(text: string): boolean {
    this.writes.push(text);
    let rest = text;
    for (;;) {
      const m = UP_AND_CLEAR.exec(rest);
      const plain = m ? rest.slice(0, m.index) : rest;
      this.screen.push(...plain.split('\n').slice(0, -1));
      if (!m) break;
      this.screen.splice(this.screen.length - Number(m[1]));
      rest = rest.slice(m.index + m[0].length);
    }
    return true;
  }
}

const line = (rec: Record<string, unknown>) => `${JSON.stringify({ level: 'info', time: '2026-12-01T10:32:00.000Z', ...rec })}\n`;

describe('IssueProgress', () => {
  it('keeps one status line per certificate below the log, redrawn in place as the events come', () => {
    const tty = new FakeTty();
    const p = new IssueProgress(tty, ['web', 'mail-server']);
    expect(tty.screen).toEqual(['web          queued', 'mail-server  queued']);

    p.write(line({ cert: 'web', msg: 'obtaining', reason: 'no certificate yet' }));
    p.write(line({ cert: 'web', zone: 'example.test', msg: 'dns_propagation_waiting', servers: ['a:53', 'b:53'], names: ['_acme-challenge.web.example.test'], elapsed_s: 5, timeout_s: 120 }));
    p.write(line({ cert: 'mail-server', msg: 'acme_validation_pending', pending: ['mail.example.test'], of: 2, elapsed_s: 0 }));
    expect(tty.screen.slice(-2)).toEqual([
      'web          waiting for DNS: 2 server(s) missing 1 name(s), 5 s of 120 s',
      'mail-server  validating: 1 of 2 pending, 0 s',
    ]);
    // The log lines stay above the block, pretty, each once.
    expect(tty.screen.slice(0, -2)).toEqual([
      '10:32:00.000 INFO  obtaining cert=web reason=no certificate yet',
      '10:32:00.000 INFO  dns_propagation_waiting cert=web zone=example.test servers=["a:53","b:53"] names=["_acme-challenge.web.example.test"] elapsed_s=5 timeout_s=120',
      '10:32:00.000 INFO  acme_validation_pending cert=mail-server pending=["mail.example.test"] of=2 elapsed_s=0',
    ]);

    p.write(line({ cert: 'web', msg: 'issued', ms: 900 }));
    p.write(line({ cert: 'web', action: 'hook', msg: 'deploy_ok' }));
    p.write(line({ cert: 'mail-server', msg: 'failed', error: 'boom' }));
    // An event of no certificate of the block (the sweep, a finding) is only printed.
    p.write(line({ msg: 'store_swept' }));
    expect(tty.screen.slice(-2)).toEqual(['web          deploying: hook done', 'mail-server  FAILED']);

    const outcomes: IssueOutcome[] = [
      { name: 'web', result: 'issued', detail: '/s/live/web', state: { failures: 0 }, deploy: [{ kind: 'hook', describe: 'hook x', result: 'ok', ms: 3 }] },
      { name: 'mail-server', result: 'failed', detail: 'boom', state: { failures: 1 } },
    ];
    p.finish(outcomes);
    expect(tty.screen.slice(-2)).toEqual(['web          deployed (issued)', 'mail-server  FAILED']);
    // Seven log lines and the block: nothing was drawn twice.
    expect(tty.screen).toHaveLength(9);
  });

  it('cuts a status line to the terminal width, so a redraw never wraps', () => {
    const tty = Object.assign(new FakeTty(), { columns: 20 });
    const p = new IssueProgress(tty, ['a', 'b']);
    p.write(line({ cert: 'a', msg: 'dns_propagation_waiting', servers: ['x'], names: ['y'], elapsed_s: 0, timeout_s: 120 }));
    expect(tty.screen.slice(-2).map((l) => l.length)).toEqual([19, 9]);
  });

  it('a secret in a log line is redacted before it reaches the terminal', () => {
    const tty = new FakeTty();
    const p = new IssueProgress(tty, ['a', 'b']);
    const { Redactor } = { Redactor: class { redact(s: string) { return s.replaceAll('hunter2-very-secret', '[redacted]'); } } };
    createLogger({ format: 'json', redactor: new Redactor() as never, out: p }).child({ cert: 'a' }).error({ error: 'key hunter2-very-secret refused' }, 'failed');
    expect(tty.writes.join('')).not.toContain('hunter2');
    expect(tty.screen.at(-2)).toBe('a  FAILED');
  });
});

describe('progressFor', () => {
  it('draws only on a terminal, in pretty mode, for several certificates; otherwise the output is the plain log', () => {
    const tty = new FakeTty();
    expect(progressFor(tty, 'pretty', ['a', 'b'])).toBeInstanceOf(IssueProgress);
    const pipe = { isTTY: false, writes: [] as string[], write(t: string) { this.writes.push(t); return true; } };
    expect(progressFor(pipe, 'pretty', ['a', 'b'])).toBeUndefined();
    expect(progressFor({ write: () => true }, 'pretty', ['a', 'b'])).toBeUndefined();
    expect(pipe.writes).toEqual([]);
    const json = new FakeTty();
    expect(progressFor(json, 'json', ['a', 'b'])).toBeUndefined();
    expect(progressFor(json, 'pretty', ['a'])).toBeUndefined();
    expect(json.writes).toEqual([]);
  });
});
