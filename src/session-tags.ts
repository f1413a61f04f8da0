// Session tags for sts:AssumeRole: the ones configure-aws-credentials sends (trust policies written for
// it keep working), the user's custom-tags, and which keys are transitive. Pure; validated against
// STS's limits so that a bad tag is an input error before any call, not a refusal after one.
import { InputError } from './errors.ts';
import type { Tag } from './sts.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const MAX_SESSION_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** GitHub's variables as tag values: characters STS refuses become '*', cut to 256. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '*').slice(0, MAX_VALUE);
}

const IDENTITY_TAGS: [string, string][] = [
  ['Repository', 'GITHUB_REPOSITORY'],
  ['Workflow', 'GITHUB_WORKFLOW'],
  ['Action', 'GITHUB_ACTION'],
  ['Actor', 'GITHUB_ACTOR'],
  ['Commit', 'GITHUB_SHA'],
  ['Branch', 'GITHUB_REF'],
];
// Context that configure-aws-credentials v6 also sends, and drops when STS says the tags do not fit.
const CONTEXT_TAGS: [string, string][] = [
  ['EventName', 'GITHUB_EVENT_NAME'],
  ['BaseRef', 'GITHUB_BASE_REF'],
  ['HeadRef', 'GITHUB_HEAD_REF'],
  ['RunId', 'GITHUB_RUN_ID'],
  ['Job', 'GITHUB_JOB'],
  ['TriggeringActor', 'GITHUB_TRIGGERING_ACTOR'],
];
/** The keys that may be dropped to fit STS's packed size; the identity tags never are. */
export const DROPPABLE_TAG_KEYS: readonly string[] = CONTEXT_TAGS.map(([key]) => key);

/** The session tags configure-aws-credentials sends with AssumeRole, so that trust policies written for it keep working. */
export function defaultSessionTags(env: Env): Tag[] {
  const tags: Tag[] = [{ Key: 'GitHub', Value: 'Actions' }];
  for (const [key, variable] of [...IDENTITY_TAGS, ...CONTEXT_TAGS]) {
    const value = env[variable];
    if (value) tags.push({ Key: key, Value: tagValue(value) });
  }
  return tags;
}

/** custom-tags: a JSON object of string (or number, boolean) values, added to `defaults`. */
export function parseCustomTags(raw: string, defaults: Tag[]): Tag[] {
  if (raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new InputError('custom-tags', `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputError('custom-tags', 'must be a JSON object like {"Team": "payments"}');
  const tags: Tag[] = [];
  // STS compares tag keys case-insensitively.
  const taken = new Map(defaults.map((t) => [t.Key.toLowerCase(), 'a session tag this action sets']));
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'object' || value === undefined) throw new InputError('custom-tags', `has a value for '${key}' that is not a string, number or boolean`);
    const text = String(value);
    if (key.length < 1 || key.length > MAX_KEY) throw new InputError('custom-tags', `has the key '${key}': keys are 1 to ${MAX_KEY} characters`);
    if (!TAG_TEXT.test(key)) throw new InputError('custom-tags', `has the key '${key}': use letters, digits, spaces and _.:/=+-@`);
    if (key.toLowerCase().startsWith('aws:')) throw new InputError('custom-tags', `has the key '${key}': the aws: prefix is reserved`);
    if (text.length > MAX_VALUE) throw new InputError('custom-tags', `has a value for '${key}' of ${text.length} characters; STS accepts at most ${MAX_VALUE}`);
    if (!TAG_TEXT.test(text)) throw new InputError('custom-tags', `has a value for '${key}' with characters STS refuses: use letters, digits, spaces and _.:/=+-@`);
    const clash = taken.get(key.toLowerCase());
    if (clash) throw new InputError('custom-tags', `has the key '${key}', which is ${clash} (tag keys are compared without case)`);
    taken.set(key.toLowerCase(), 'another key of custom-tags');
    tags.push({ Key: key, Value: text });
  }
  if (defaults.length + tags.length > MAX_SESSION_TAGS) {
    throw new InputError('custom-tags', `has ${tags.length} tags; with the ${defaults.length} this action sets that is ${defaults.length + tags.length}, and STS accepts at most ${MAX_SESSION_TAGS}`);
  }
  return tags;
}

/**
 * transitive-tag-keys, spelled as the tags spell them. A key that names no tag is dropped with a warning,
 * as configure-aws-credentials drops it silently (STS would refuse it).
 */
export function parseTransitiveTagKeys(keys: string[], tags: Tag[], warnings: string[]): string[] {
  return keys.flatMap((key) => {
    const tag = tags.find((t) => t.Key.toLowerCase() === key.toLowerCase());
    if (!tag) warnings.push(`transitive-tag-keys lists '${key}', which is not a session tag; ignored (the tags are ${tags.map((t) => t.Key).join(', ')})`);
    return tag ? [tag.Key] : [];
  });
}
