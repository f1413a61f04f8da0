// GitHub's branch and tag filter patterns: which names a list admits, and a name that stands for each
// pattern. https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet

/** One position of a compiled pattern: which characters it takes, and whether it may be skipped or repeated. */
interface Atom {
  takes: (c: string) => boolean;
  optional: boolean;
  repeats: boolean;
}

/**
 * `*` is anything but `/`, `**` anything, `?` zero or one and `+` one or more of the preceding character
 * (or set, or wildcard), `[…]` one of a set. A `?` after a quantified atom changes nothing (`a+?` is
 * `a+`, as the regular expression this replaced read it), a `+` after one lets it repeat (`a?+` is `a*`),
 * and a `?` or `+` with nothing before it is that character. A `[` without a `]` is itself.
 */
function compile(pattern: string): Atom[] {
  const atoms: Atom[] = [];
  // Past the last `]`, no `[` opens a set: remembered so that `[[[[…` stays linear.
  const lastClose = pattern.lastIndexOf(']');
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const before = atoms[atoms.length - 1];
    if ((c === '?' || c === '+') && before) {
      if (c === '+') before.repeats = true;
      else if (!before.repeats) before.optional = true;
    } else if (c === '*') {
      const double = pattern[i + 1] === '*';
      atoms.push({ takes: double ? () => true : (x) => x !== '/', optional: true, repeats: true });
      if (double) i++;
    } else if (c === '[' && i < lastClose) {
      const end = pattern.indexOf(']', i + 1);
      atoms.push({ takes: set(pattern.slice(i + 1, end)), optional: false, repeats: false });
      i = end;
    } else atoms.push({ takes: (x) => x === c, optional: false, repeats: false });
  }
  return atoms;
}

/** A `[…]` set: single characters and ranges (`a-z`); a `-` first or last is itself, a reversed range takes nothing. */
function set(members: string): (c: string) => boolean {
  const ranges: [string, string][] = [];
  for (let i = 0; i < members.length; i++) {
    if (members[i + 1] === '-' && i + 2 < members.length) {
      ranges.push([members[i]!, members[i + 2]!]);
      i += 2;
    } else ranges.push([members[i]!, members[i]!]);
  }
  return (c) => ranges.some(([low, high]) => low <= c && c <= high);
}

/**
 * Whether the compiled pattern matches all of `name`: the set of atoms the name could have reached,
 * advanced one character at a time (a Thompson simulation), so at most |name| × |pattern| steps whatever
 * the pattern, where a backtracking regular expression built from it takes exponential time.
 */
function matches(atoms: Atom[], name: string): boolean {
  // State i: the name read so far can stand before atom i (atoms.length: after all of them).
  // seen[i] === step marks i as already among the states of this step.
  const seen = new Int32Array(atoms.length + 1).fill(-1);
  let step = 0;
  let states: number[] = [];
  const reach = (into: number[], from: number) => {
    // An optional atom (`?`, `*`) may also be passed by without taking a character.
    for (let i = from; seen[i] !== step; i++) {
      seen[i] = step;
      into.push(i);
      if (i === atoms.length || !atoms[i]!.optional) break;
    }
  };
  reach(states, 0);
  // Code units, as the pattern's: a `?` after an astral character makes its second half optional, as it did in the regular expression.
  for (let j = 0; j < name.length && states.length > 0; j++) {
    const c = name[j]!;
    const next: number[] = [];
    step++;
    for (const i of states) {
      const atom = atoms[i];
      if (atom === undefined || !atom.takes(c)) continue;
      // One taken: on to the next atom, and for `+` and `*` also still before this one, for another.
      if (atom.repeats) reach(next, i);
      reach(next, i + 1);
    }
    states = next;
  }
  return states.includes(atoms.length);
}

export const isPattern = (pattern: string): boolean => /[*?+[\]]/.test(pattern);

/** A name the pattern admits: a wildcard becomes `stand`, an optional character is dropped, a set gives its first member. */
export function representative(pattern: string, stand: string): string {
  const lastClose = pattern.lastIndexOf(']');
  let name = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') i++;
      name += stand;
    } else if (c === '?') name = name.slice(0, -1);
    else if (c === '+') continue;
    else if (c === '[' && i < lastClose) {
      name += pattern[i + 1];
      i = pattern.indexOf(']', i + 1);
    } else name += c;
  }
  return name;
}

type Filters = { negated: boolean; atoms: Atom[] }[];

/** Each pattern compiled once: a list is weighed against each of its own patterns' representatives. */
const compileAll = (filters: string[]): Filters => filters.map((filter) => (filter.startsWith('!') ? { negated: true, atoms: compile(filter.slice(1)) } : { negated: false, atoms: compile(filter) }));

/** Whether a list of filters admits a name: the last pattern that matches decides, and `!` excludes. */
export const admits = (filters: string[], name: string): boolean => admitsCompiled(compileAll(filters), name);

function admitsCompiled(filters: Filters, name: string): boolean {
  let admitted = false;
  for (const { negated, atoms } of filters) {
    if (matches(atoms, name)) admitted = !negated;
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
    const compiled = compileAll(include);
    const found: Candidate[] = [];
    for (const filter of include) {
      if (filter.startsWith('!')) continue;
      const name = isPattern(filter) ? representative(filter, stand) : filter;
      if (!admitsCompiled(compiled, name) || found.some((c) => c.name === name)) continue;
      const like = isPattern(filter) ? toLike(filter) : filter;
      found.push({ name, like, said: isPattern(filter) ? `a ${kind} matching '${filter}' (${name} stands for them)` : name });
    }
    return found;
  }
  if (ignore !== undefined) {
    const compiled = compileAll(ignore);
    return defaults.filter((c) => !admitsCompiled(compiled, c.name));
  }
  return defaults;
}

/** A GitHub pattern as IAM's StringLike, which knows only `*` and `?`: each run of pattern characters becomes `*`, never narrower. */
export function toLike(pattern: string): string {
  const lastClose = pattern.lastIndexOf(']');
  const quantifier = (c: string | undefined) => c === '?' || c === '+';
  let like = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '[' && i < lastClose) {
      i = pattern.indexOf(']', i + 1);
      if (quantifier(pattern[i + 1])) i++;
      like += '*';
    } else if (quantifier(pattern[i + 1])) {
      like += '*';
      i++;
    } else like += c;
  }
  return like.replace(/\*+/g, '*');
}
