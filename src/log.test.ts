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

  it('writes level and time first, then bindings of every ancestor, fields and msg; levels below the minimum not at all', () => {
    const c = capture();
    const log = createLogger({ format: 'json', level: 'warn', out: c.out });
    const child = log.child({ component: 'dns' }).child({ provider: 'home' });
    child.info({ cert: 'web' }, 'not shown');
    child.debug('not shown');
    child.warn({ cert: 'web', skipped: undefined, fn: () => 1 }, 'slow');
    log.error('plain');
    expect(c.lines).toHaveLength(2);
    expect(c.lines[0]).toMatch(/^\{"level":"warn","time":"\d{4}-\d\d-\d\dT[\d:.]+Z","component":"dns","provider":"home","cert":"web","msg":"slow"\}\n$/);
    expect(JSON.parse(c.lines[1]!)).toEqual({ level: 'error', time: expect.any(String) as string, msg: 'plain' });
  });

  it('renders err as pino did (type, message and stack with causes, own fields) and never throws on a BigInt or a cycle', () => {
    const c = capture();
    const log = createLogger({ format: 'json', out: c.out });
    const err = Object.assign(new TypeError('outer', { cause: new Error('inner') }), { code: 'E_X' });
    log.error({ err }, 'failed');
    const rec = JSON.parse(c.lines[0]!) as { err: Record<string, unknown> };
    expect(rec.err).toMatchObject({ type: 'TypeError', message: 'outer: inner', code: 'E_X' });
    expect(rec.err.stack).toMatch(/^TypeError: outer\n[\s\S]*caused by: Error: inner/);
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    log.info({ cyclic }, 'odd values');
    expect(JSON.parse(c.lines[1]!)).toMatchObject({ cyclic: { n: 1, self: '[Circular]' }, msg: 'odd values' });
  });
});
