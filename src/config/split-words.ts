/**
 * Splits a command string into argv the way a user reading it expects, without a shell: words
 * are separated by blanks; '…' keeps everything literally; "…" keeps blanks and lets \\ escape
 * " and \\; a backslash outside quotes escapes the next character. Nothing is expanded:
 * `$(…)`, backticks, `;`, `|`, `*` and `~` stay as written.
 */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new SyntaxError(`unterminated ' in ${JSON.stringify(command)}`);
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === '\\' && (command[j + 1] === '"' || command[j + 1] === '\\')) j++;
        word += command[j];
      }
      if (j >= command.length) throw new SyntaxError(`unterminated " in ${JSON.stringify(command)}`);
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The first piece of shell syntax in a command string that a shell would act on and splitWords
 * passes on literally: `&&`, `||`, `|`, `;`, `&`, redirections, `$(…)`, backticks, `$NAME` /
 * `${…}`, or a second line. Inside '…' nothing counts, nor a character after a backslash; inside
 * "…" expansions still count (a shell expands them there too). Undefined when there is none.
 */
export function findShellSyntax(command: string): string | undefined {
  let quote: '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    const next = command[i + 1] ?? '';
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote === undefined && c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return undefined; // splitWords reports the unterminated quote
      i = end;
      continue;
    }
    if (c === '"') {
      quote = quote ? undefined : '"';
      continue;
    }
    if (c === '`') return '`';
    if (c === '$' && (next === '(' || next === '{' || /[A-Za-z_]/.test(next))) return next === '(' ? '$(' : next === '{' ? '${' : `$${/^[A-Za-z_][A-Za-z0-9_]*/.exec(command.slice(i + 1))![0]}`;
    if (quote) continue;
    if ((c === '&' || c === '|') && next === c) return c + c;
    if (c === '&' || c === '|' || c === ';') return c;
    if (c === '>' || c === '<') return next === c ? c + c : c;
    if (c === '\n' && command.slice(i + 1).trim() !== '') return 'a line break';
  }
  return undefined;
}
