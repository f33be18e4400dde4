import { describe, expect, it } from 'vitest';
import { splitWords } from './split-words.js';

describe('splitWords', () => {
  it('splits on blanks and respects quotes and escapes', () => {
    expect(splitWords('systemctl reload nginx')).toEqual(['systemctl', 'reload', 'nginx']);
    expect(splitWords(`  /usr/bin/notify  "a b"  'c "d"' e\\ f "g\\"h" ''`)).toEqual(['/usr/bin/notify', 'a b', 'c "d"', 'e f', 'g"h', '']);
  });

  it('expands nothing: shell syntax stays literal', () => {
    expect(splitWords('hook $(rm -rf /) `id` ; echo hi | cat > /tmp/x * ~')).toEqual(['hook', '$(rm', '-rf', '/)', '`id`', ';', 'echo', 'hi', '|', 'cat', '>', '/tmp/x', '*', '~']);
    expect(splitWords("hook '$(id)'")).toEqual(['hook', '$(id)']);
  });

  it('refuses unterminated quotes', () => {
    expect(() => splitWords('hook "open')).toThrow(/unterminated "/);
    expect(() => splitWords("hook 'open")).toThrow(/unterminated '/);
  });
});
