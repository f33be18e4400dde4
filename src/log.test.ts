import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine, Redactor } from './log.js';

function capture() {
  const lines: string[] = [];
  return { lines, out: { write: (t: string) => lines.push(t) } };
}

describe('createLogger', () => {
  it('writes JSON lines with level names and child bindings', () => {
    const c = capture();
    const log = createLogger({ format: 'json', out: c.out }).child({ component: 'scheduler' });
    log.info({ cert: 'web' }, 'issued');
    log.debug('hidden at info');
    expect(c.lines).toHaveLength(1);
    expect(JSON.parse(c.lines[0]!)).toMatchObject({ level: 'info', component: 'scheduler', cert: 'web', msg: 'issued' });
  });

  it('redacts secrets in fields, error messages and the JSON-escaped form', () => {
    const c = capture();
    const redactor = new Redactor();
    redactor.add(['s3cr3t-"quoted"', 'api-key-123', 'abc']);
    const log = createLogger({ format: 'json', out: c.out, redactor });
    log.error({ err: new Error('401 for key api-key-123'), header: 'X-API-Key: api-key-123', q: 's3cr3t-"quoted"' }, 'child said api-key-123');
    const text = c.lines.join('');
    expect(text).not.toContain('api-key-123');
    expect(text).not.toContain('s3cr3t');
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
    // Too short to redact without destroying ordinary words.
    log.info('abc stays');
    expect(c.lines.at(-1)).toContain('abc stays');
  });

  it('renders readable lines for terminals', () => {
    const c = capture();
    createLogger({ format: 'pretty', out: c.out }).child({ component: 'daemon' }).warn({ cert: 'web', days: 3 }, 'expiring');
    expect(c.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[daemon\] expiring cert=web days=3\n$/);
    expect(prettyLine('not json')).toBe('not json');
  });

  it('says a moment field in words in pretty mode only', () => {
    const rec = { time: '2026-12-01T10:32:00.000Z', level: 'error', msg: 'failed', cert: 'web', next_attempt_at: '2026-12-01T10:42:00.000Z', started_at: '2026-12-01T10:31:00.000Z', format: 'no_moment' };
    expect(prettyLine(JSON.stringify(rec))).toBe('10:32:00.000 ERROR failed cert=web next_attempt_at=2026-12-01T10:42:00.000Z (in 10 min) started_at=2026-12-01T10:31:00.000Z (60 s ago) format=no_moment\n');
    const c = capture();
    createLogger({ format: 'json', out: c.out }).error({ next_attempt_at: '2026-12-01T10:42:00.000Z' }, 'failed');
    expect(JSON.parse(c.lines[0]!)).toMatchObject({ next_attempt_at: '2026-12-01T10:42:00.000Z' });
  });
});
