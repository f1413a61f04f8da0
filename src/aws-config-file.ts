// The AWS shared config and credentials files, read the way the clients read them: botocore (the AWS CLI
// v1 and v2, boto3) and the JS SDK v3 (@smithy/core's parseIni and getConfigData). They disagree on
// headers, so each section carries the profile each client reads it as:
// - botocore takes a header from Python's configparser, `[` then everything up to the last `]` of the line
//   (what follows is ignored), unless the line continues an indented value. In the config file a header
//   starting "profile" is split with shlex and names a profile when it splits into two words
//   (`[profile  a]`, `[profile "a"]`, and also `[profilex a]`); `[default]` and `[profile default]` are
//   both the default profile, and the later one in the file wins. In the credentials file the header is
//   the profile name as it stands.
// - the JS SDK first cuts a line at `#` or `;` that starts it or follows whitespace, then takes a line
//   in brackets as a header. `PREFIX NAME` with exactly one whitespace character (NAME optionally quoted)
//   names a profile when PREFIX is "profile"; `[profile  a]` (two spaces) is no profile; `[profile default]`
//   wins over `[default]` wherever it stands. A header named `__proto__` makes it ignore the whole file.
// Pure: text in, text out.

export type FileKind = 'config' | 'credentials';

export interface Entry {
  /** Lower-cased, as botocore reads it. */
  key: string;
  /** Continuation lines joined with newlines, as botocore reads it. */
  value: string;
  /** 1-based line of the key. */
  line: number;
}

export interface Section {
  /** 1-based line of the header. */
  line: number;
  /** The header line as written, trimmed. */
  header: string;
  /** The profile botocore reads this section as; undefined: none (or botocore sees no header here). */
  botocore: string | undefined;
  /** The profile the JS SDK reads this section as; undefined: none (or the JS SDK sees no header here). */
  js: string | undefined;
  /** botocore's reading of its key = value lines. */
  entries: Entry[];
  /** Lines that are not a key, a continuation, a comment or blank: botocore refuses the whole file. */
  malformed: number[];
  /** The section's lines in the file, header included: [start, end) as 0-based indexes. */
  start: number;
  end: number;
}

export interface AwsFile {
  lines: string[];
  sections: Section[];
}

// Section types the JS SDK knows (IniSectionType in @smithy/types).
const JS_SECTION_TYPES = ['profile', 'sso-session', 'services'];
const JS_PREFIXED = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;

/** POSIX shlex.split, as botocore applies it to a header; undefined where shlex raises (an open quote). */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (/[ \t\r\n]/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word = (word ?? '') + text.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      let piece = '';
      for (i++; ; i++) {
        if (i >= text.length) return undefined;
        const d = text[i];
        if (d === '"') break;
        if (d === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) piece += text[++i];
        else piece += d;
      }
      word = (word ?? '') + piece;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function botocoreProfile(header: string, kind: FileKind): string | undefined {
  if (kind === 'credentials') return header;
  if (header.startsWith('profile')) {
    const words = shlexSplit(header);
    return words?.length === 2 ? words[1] : undefined;
  }
  return header === 'default' ? 'default' : undefined;
}

function jsProfile(inner: string, kind: FileKind): string | undefined {
  const prefixed = JS_PREFIXED.exec(inner);
  // getConfigData keeps the keys "profile.NAME" (however they came about) and "default".
  const key = prefixed ? (JS_SECTION_TYPES.includes(prefixed[1] ?? '') ? `${prefixed[1]}.${prefixed[3]}` : undefined) : inner;
  if (key === undefined || kind === 'credentials') return key;
  if (key === 'default' || key.startsWith('profile.')) return key.replace(/^profile\./, '');
  // sso-session.NAME and services.NAME stay under their prefixed name.
  return JS_SECTION_TYPES.includes(key.slice(0, key.indexOf('.'))) ? key : undefined;
}

const isComment = (line: string) => /^\s*[#;]/.test(line);

export function parseAwsFile(text: string, kind: FileKind): AwsFile {
  const lines = text.split(/\r?\n/);
  const sections: Section[] = [];
  let current: Section | undefined;
  // botocore: a line indented deeper than the key before it continues that key's value.
  let keyIndent: number | undefined;
  lines.forEach((raw, index) => {
    const stripped = raw.trim();
    const jsLine = raw.split(/(?:^|\s)[;#]/)[0]?.trim() ?? '';
    const jsHeader = jsLine.startsWith('[') && jsLine.endsWith(']') && jsLine.length >= 2 ? jsLine.slice(1, -1) : undefined;
    if (stripped === '' || isComment(raw)) return;
    const indent = raw.length - raw.trimStart().length;
    const continues = current !== undefined && keyIndent !== undefined && indent > keyIndent;
    const botoHeader = continues ? undefined : /^\[(.+)\]/.exec(stripped)?.[1];
    if (botoHeader !== undefined || jsHeader !== undefined) {
      if (current) current.end = index;
      current = {
        line: index + 1,
        header: stripped,
        botocore: botoHeader === undefined ? undefined : botocoreProfile(botoHeader, kind),
        js: jsHeader === undefined ? undefined : jsProfile(jsHeader, kind),
        entries: [],
        malformed: [],
        start: index,
        end: lines.length,
      };
      sections.push(current);
      keyIndent = undefined;
      return;
    }
    if (!current) return;
    const last = current.entries.at(-1);
    if (continues && last) {
      last.value += `\n${stripped}`;
      return;
    }
    const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!option || option[1] === '') {
      current.malformed.push(index + 1);
      return;
    }
    keyIndent = indent;
    current.entries.push({ key: (option[1] ?? '').toLowerCase(), value: option[2] ?? '', line: index + 1 });
  });
  return { lines, sections };
}

/** The profiles a section defines for at least one client. */
export function profilesOf(section: Section): string[] {
  return [...new Set([section.botocore, section.js].filter((name): name is string => name !== undefined))];
}

/** The first section that any client reads as `profile`. */
export function findProfile(file: AwsFile, profile: string): Section | undefined {
  return file.sections.find((s) => profilesOf(s).includes(profile));
}

/** The file without every section that any client reads as one of `profiles`; and those sections. */
export function withoutProfiles(text: string, kind: FileKind, profiles: ReadonlySet<string>): { text: string; removed: Section[] } {
  const file = parseAwsFile(text, kind);
  const removed = file.sections.filter((s) => profilesOf(s).some((name) => profiles.has(name)));
  const dropped = new Set(removed.flatMap((s) => Array.from({ length: s.end - s.start }, (_, i) => s.start + i)));
  return { text: file.lines.filter((_, i) => !dropped.has(i)).join('\n'), removed };
}

/** The header a config file gives a profile: [default] or [profile NAME]. */
export function configHeader(profile: string): string {
  return profile === 'default' ? '[default]' : `[profile ${profile}]`;
}
