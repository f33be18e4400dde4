import { describe, expect, it } from 'vitest';
import { findShellSyntax, splitWords } from './split-words.js';

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

describe('findShellSyntax', () => {
  it('finds what a shell would act on', () => {
    const cases: [string, string][] = [
      ['a && b', '&&'], ['a || b', '||'], ['a | b', '|'], ['a; b', ';'], ['a &', '&'], ['a > out', '>'], ['a >> out', '>>'], ['a 2>err', '>'], ['a < in', '<'],
      ['a $(id)', '$('], ['a `id`', '`'], ['a $HOME', '$HOME'], ['a ${X}', '${'], ['a "$(id)"', '$('], ['a "x`id`"', '`'], ['a\nb', 'a line break'],
    ];
    for (const [command, syntax] of cases) expect([command, findShellSyntax(command)]).toEqual([command, syntax]);
  });

  it('finds nothing in plain words, single quotes, escapes, or a trailing newline', () => {
    for (const command of ['systemctl reload nginx', "notify 'a && b; $(x) `y` | z > w'", 'notify a\\;b \\$HOME \\|', 'notify "a;b|c>d"', 'notify --price=5$ 100%', 'reload\n', 'notify "it\'s"']) {
      expect([command, findShellSyntax(command)]).toEqual([command, undefined]);
    }
  });
});
