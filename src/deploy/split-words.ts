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
