// Every value the check prints comes from files a pull request controls: names, roles, policy values,
// error messages. The runner reads a line that starts with `::` (after leading blanks) as a workflow
// command, and `##[` anywhere in a line as one of the legacy form; `::add-mask::REFUSED` would hide
// every later verdict. So each value is printed on one line, with its line breaks and other control
// characters escaped, and can neither start a command nor open a tag, a table cell or a link in the job
// summary. Pure: strings in, strings out.

// C0 controls, DEL, C1 controls (NEL among them), and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A value as one line of text: control characters as `\n`, `\r`, `\t` or `\uXXXX`; the `[` of `##[` and
 * a leading `:` (after blanks) as `\u005b` and `\u003a`, so that no line it starts, or takes part in, is
 * a workflow command.
 */
export function oneLine(value: string): string {
  return value
    .replace(CONTROL, (c) => NAMED[c] ?? hex(c))
    .replace(/##\[/g, '##\\u005b')
    .replace(/^(\s*):/, '$1\\u003a');
}

/**
 * What the check found, with every string in it (keys too) made one line: renderers that start from it
 * cannot print a value any other way. Shared objects stay shared, so identity still finds a fix's policy.
 */
export function printable<T>(value: T): T {
  const done = new Map<object, unknown>();
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return oneLine(v);
    if (v === null || typeof v !== 'object') return v;
    if (done.has(v)) return done.get(v);
    if (Array.isArray(v)) {
      const copy: unknown[] = [];
      done.set(v, copy);
      for (const item of v) copy.push(visit(item));
      return copy;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    const copy: Record<string, unknown> = {};
    done.set(v, copy);
    for (const [key, item] of Object.entries(v)) copy[oneLine(key)] = visit(item);
    return copy;
  };
  return visit(value) as T;
}

/**
 * JSON for tools, values exact: JSON.stringify escapes C0 controls but leaves DEL, C1, U+2028/U+2029
 * and `##[` as they are, which the same `\uXXXX` escapes make harmless without changing the value.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent)
    .replace(/[\u007f-\u009f\u2028\u2029]/g, hex)
    .replace(/##\[/g, '##\\u005b');
}

/**
 * A value in the Markdown (and HTML) of the job summary: one line, and backslash-escaped wherever a
 * character could open a tag or an entity (`<`, `&`), a table cell (`|`), a code span, emphasis, math or a
 * link (`[`, `!`, and the `.`, `:` and `@` of `www.`, `https://` and e-mail autolinks).
 */
export function markdownText(value: string): string {
  return oneLine(value).replace(/[\\`*_[\]()<>&!|~:.@$]/g, '\\$&');
}
