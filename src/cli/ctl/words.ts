/**
 * The words of one ctl command, from the command line or from one line of a
 * batch script, with the raw rest of the line: `set PATH VALUE` and
 * `comment TEXT` take everything after their keyword as it is written, so a
 * JSON value keeps its quotes and spaces in a script.
 */
export interface Words {
  readonly list: readonly string[];
  /** Everything from word i to the end, as written (argv: the words joined by one space). */
  rest(i: number): string;
}

export function wordsFromArgv(argv: readonly string[]): Words {
  return { list: argv, rest: (i) => argv.slice(i).join(' ') };
}

/** Splits one script line on blanks; rest() keeps the line's own spacing and quotes. */
export function wordsFromLine(line: string): Words {
  const list: string[] = [];
  const starts: number[] = [];
  for (const m of line.matchAll(/\S+/g)) {
    list.push(m[0]);
    starts.push(m.index);
  }
  return { list, rest: (i) => (i < starts.length ? line.slice(starts[i]).trimEnd() : '') };
}

export interface ScriptLine {
  /** 1-based, for error messages. */
  number: number;
  words: Words;
}

/** The commands of a batch script: one per line; blank lines and lines starting with # are skipped. */
export function scriptLines(text: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    out.push({ number: i + 1, words: wordsFromLine(trimmed) });
  });
  return out;
}
