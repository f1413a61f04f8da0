// Reading the trust check's text report in tests, whose lines it wraps at 100 columns (src/check/report.ts).

// A block's first line: its verdict, then the run or stranger under column 12.
const BLOCK_HEAD = /^ {2}([A-Za-z][A-Za-z ]*?) {2,}(\S.*)$/;

/**
 * The report's prose lines as they were before wrapping, so a test can match a whole sentence: a line
 * indented two columns deeper than the line it follows continues it (how `fit` wraps a long line), unless it
 * opens a list item ("- ") or a block. A block's own lines (column 12) are left as they are: see `blocks`.
 */
export function unwrapped(text: string): string {
  const out: string[] = [];
  let lead = -1;
  for (const line of text.split('\n')) {
    const indent = /^ */.exec(line)![0].length;
    const continues = out.length > 0 && indent === lead + 2 && !line.trimStart().startsWith('- ') && !BLOCK_HEAD.test(line);
    if (continues) out[out.length - 1] += ` ${line.trimStart()}`;
    else {
      out.push(line);
      lead = indent;
    }
  }
  return out.join('\n');
}

/** The report's blocks: the verdict, and the lines beneath it (the run or stranger, its sub, then why), wrapped lines joined. */
export function blocks(text: string): { verdict: string; what: string; sub: string; why: string }[] {
  const found: { verdict: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    const head = BLOCK_HEAD.exec(line);
    if (head && !line.startsWith('  - ')) found.push({ verdict: head[1]!, lines: [head[2]!] });
    else if (found.length > 0 && line.startsWith(' '.repeat(12)) && found.at(-1)!.lines.length > 0) found.at(-1)!.lines.push(line.trim());
    else if (found.length > 0) found.push({ verdict: '', lines: [] }); // anything else ends the block
  }
  return found
    .filter((b) => b.verdict !== '')
    .map(({ verdict, lines }) => {
      // A run's block says what it is about, then its sub; a stranger's block starts with its sub. Either may wrap.
      // A block with no sub (NOT RUN) says what, then why, where a wrap hides the seam: all of it is its why.
      const at = lines.findIndex((l) => l.startsWith('sub '));
      if (at < 0) return { verdict, what: '', sub: '', why: lines.join(' ') };
      return { verdict, what: lines.slice(0, at).join(' '), sub: lines[at]!, why: lines.slice(at + 1).join(' ') };
    });
}
