// GitHub's branch and tag filter patterns: which names a list admits, and a name that stands for each
// pattern. https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet

/** `*` is anything but `/`, `**` anything, `?` zero or one and `+` one or more of the preceding character, `[…]` one of a set. */
export function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      const double = pattern[i + 1] === '*';
      source += double ? '.*' : '[^/]*';
      if (double) i++;
    } else if (c === '?' || c === '+') {
      source += c;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
        i = end;
      }
    } else source += c.replace(/[.^$|(){}\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export const isPattern = (pattern: string): boolean => /[*?+[\]]/.test(pattern);

/** A name the pattern admits: a wildcard becomes `stand`, an optional character is dropped, a set gives its first member. */
export function representative(pattern: string, stand: string): string {
  let name = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') i++;
      name += stand;
    } else if (c === '?') name = name.slice(0, -1);
    else if (c === '+') continue;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      name += end < 0 ? c : pattern[i + 1];
      if (end >= 0) i = end;
    } else name += c;
  }
  return name;
}

/** Whether a list of filters admits a name: the last pattern that matches decides, and `!` excludes. */
export function admits(filters: string[], name: string): boolean {
  let admitted = false;
  for (const filter of filters) {
    const negated = filter.startsWith('!');
    if (patternToRegExp(negated ? filter.slice(1) : filter).test(name)) admitted = !negated;
  }
  return admitted;
}

export interface Candidate {
  name: string;
  /** The names it stands for, as an IAM StringLike pattern ('release/*'); the name itself for a literal. */
  like: string;
  /** How the name was chosen: 'main', "a branch matching 'release/**' (release/x stands for them)". */
  said: string;
}

/**
 * The names a trigger's filters let through: each positive pattern once (a literal as itself, a pattern by a
 * representative), or for an ignore list, the given defaults that it does not exclude.
 */
export function candidates(include: string[] | undefined, ignore: string[] | undefined, defaults: Candidate[], stand: string, kind: string): Candidate[] {
  if (include !== undefined) {
    const found: Candidate[] = [];
    for (const filter of include) {
      if (filter.startsWith('!')) continue;
      const name = isPattern(filter) ? representative(filter, stand) : filter;
      if (!admits(include, name) || found.some((c) => c.name === name)) continue;
      const like = isPattern(filter) ? toLike(filter) : filter;
      found.push({ name, like, said: isPattern(filter) ? `a ${kind} matching '${filter}' (${name} stands for them)` : name });
    }
    return found;
  }
  if (ignore !== undefined) return defaults.filter((c) => !admits(ignore, c.name));
  return defaults;
}

/** A GitHub pattern as IAM's StringLike, which knows only `*` and `?`: each run of pattern characters becomes `*`, never narrower. */
export function toLike(pattern: string): string {
  return pattern
    .replace(/\[[^\]]*\][+?]?|.[?+]|\*+/g, '*')
    .replace(/\*+/g, '*');
}
