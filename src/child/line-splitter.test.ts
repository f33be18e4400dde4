import { describe, expect, it } from 'vitest';
import { Redactor } from '../redaction.js';
import { CUT_SLACK_CHARS, LineSplitter, MAX_LINE_CHARS } from './line-splitter.js';

function split(chunks: string[], redactor = new Redactor()): [string, boolean][] {
  const out: [string, boolean][] = [];
  const s = new LineSplitter((line, truncated) => out.push([line, truncated]), (t) => redactor.redact(t));
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe('LineSplitter', () => {
  it('joins a line delivered in pieces, splits several lines in one chunk, drops blank lines and \\r', () => {
    expect(split(['he', 'll', 'o\r\nwor', 'ld\n\n  \nlast'])).toEqual([['hello', false], ['world', false], ['last', false]]);
  });

  it('one character per chunk is still one line', () => {
    expect(split([...'token=abc\n'])).toEqual([['token=abc', false]]);
  });

  it('bounds a line: cut at MAX_LINE_CHARS and marked, the rest up to its newline dropped, the next line whole', () => {
    const long = 'a'.repeat(MAX_LINE_CHARS + CUT_SLACK_CHARS + 10);
    const out = split([long.slice(0, 5000), long.slice(5000), 'b'.repeat(50_000), '\nnext\n']);
    expect(out.map(([l, t]) => [l.length, t])).toEqual([[MAX_LINE_CHARS, true], [4, false]]);
    expect(out[1]![0]).toBe('next');
  });

  it('a secret that straddles the cut is redacted before the line is cut, so no part of it is kept', () => {
    const secret = 'straddling-secret-value-0123456789';
    const redactor = new Redactor();
    redactor.add([secret]);
    const line = `${'x'.repeat(MAX_LINE_CHARS - 10)}${secret}${'y'.repeat(CUT_SLACK_CHARS)}`;
    const [[kept, truncated]] = split([line, '\n'], redactor) as [[string, boolean]];
    expect(truncated).toBe(true);
    expect(kept).toBe(`${'x'.repeat(MAX_LINE_CHARS - 10)}[redacted]`);
  });
});
