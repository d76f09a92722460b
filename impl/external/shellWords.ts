/**
 * Splits a harness command line (`--external "CMD ARGS"`) into words, as a POSIX shell would
 * for the plain cases, without running a shell: words separated by blanks, '...' taken
 * literally, "..." with \" \\ \$ \` escapes, and a backslash outside quotes escaping the next
 * character. No variables, globs, pipes or redirections: the harness is spawned directly.
 */

/** A command line that cannot be split: the message names it and what was expected. */
export class ShellWordsError extends Error {
  constructor(command: string, why: string) {
    super(`harness command ${JSON.stringify(command)}: ${why}`);
    this.name = "ShellWordsError";
  }
}

export function splitShellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError(command, "a ' quote is not closed");
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const d = command[j] as string;
        if (d === "\\" && j + 1 < command.length && '"\\$`'.includes(command[j + 1] as string)) {
          word += command[j + 1];
          j++;
        } else {
          word += d;
        }
      }
      if (j >= command.length) throw new ShellWordsError(command, 'a " quote is not closed');
      i = j;
    } else if (c === "\\") {
      if (i + 1 >= command.length) throw new ShellWordsError(command, "a trailing backslash");
      word += command[i + 1];
      inWord = true;
      i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new ShellWordsError(command, "expected a program and arguments");
  return words;
}
