// The demo prints what a workflow log and a terminal would show; a log line is as long as the message, and
// GitHub's log viewer wraps it. The demo wraps the same way, so that its output fits a terminal of 100
// columns: each line indented, broken at a space where it can be, the rest of it indented two more.
export const COLUMNS = 100;

/** `text` with each line indented by `by` and broken to at most COLUMNS columns; only a space at a break is dropped. */
export function fit(text: string, by = '    '): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const rows: string[] = [];
      let prefix = by;
      let rest = line;
      while (prefix.length + rest.length > COLUMNS) {
        const room = Math.max(COLUMNS - prefix.length, 20);
        const space = rest.lastIndexOf(' ', room);
        // Break after a space that leaves something on this row; a word longer than the row is cut.
        const cut = space > 0 ? space + 1 : room;
        rows.push(prefix + rest.slice(0, cut).trimEnd());
        rest = rest.slice(cut);
        prefix = `${by}  `;
      }
      rows.push(prefix + rest);
      return rows;
    })
    .join('\n');
}
