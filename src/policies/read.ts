// Files and folders → the trust policies in them, whatever form they are kept in. The format comes from
// the name and the content; each reader is a pure function of text, and a file that fails is one error
// while the others are still read.
import { join, normalize } from 'node:path';
import { PolicyError } from '../iam/policy.ts';
import { forAccount } from './account.ts';
import { AliasLimitError, isTemplate, jsonLines, parseYamlTemplate, readTemplate } from './cloudformation.ts';
import { PolicyReadError, ROLE_ARN, type FoundPolicy, type PolicyFiles, type ReadError, type ReadOptions, type ReadResult } from './found.ts';
import { isPolicyJson, readIamJson } from './iam-json.ts';
import { isPlan, readPlan } from './plan.ts';
import { isTerraformFile, readTerraform, terraformRoots } from './terraform.ts';

export type { FoundPolicy, PolicyFiles, ReadOptions, ReadResult } from './found.ts';
export { forAccount } from './account.ts';

// Hidden folders (.git, .terraform, .github, editors' settings) hold no policies of the repository's own.
const SKIPPED_FOLDERS = new Set(['node_modules']);
const EXPECTED = 'expected an IAM trust policy (JSON), a CloudFormation/SAM/CDK template with an AWS::IAM::Role, Terraform (.tf) or a `terraform show -json` plan';

export async function readPolicies(paths: string[], files: PolicyFiles, options: ReadOptions = {}): Promise<ReadResult> {
  const roleFor: Record<string, string> = Object.fromEntries(Object.entries(options.roleFor ?? {}).map(([f, arn]) => [normalize(f), arn]));
  const result: ReadResult = { policies: [], errors: [], assumed: [] };
  const targets: string[] = [];
  for (const given of paths) {
    const split = splitRoleArn(given, files);
    if (split) {
      roleFor[normalize(split.path)] = split.arn;
      targets.push(split.path);
    } else targets.push(given);
  }
  for (const target of targets) {
    const found = await readTarget(target, files, options);
    result.assumed.push(...found.notes.filter((n) => !result.assumed.includes(n)));
    for (const policy of found.policies) {
      const arn = roleFor[policy.file] ?? roleFor[normalize(target)];
      result.policies.push(arn ? bindRole(policy, arn, found.policies) : policy);
    }
    result.errors.push(...found.errors);
  }
  for (const p of result.policies) for (const a of p.assumed) if (!result.assumed.includes(`${p.where}: ${a}`)) result.assumed.push(`${p.where}: ${a}`);
  return result;
}

/** `ROLE_ARN=PATH`: role names may hold '=', so the path is what follows the first '=' that leaves an ARN before it. */
function splitRoleArn(given: string, files: PolicyFiles): { arn: string; path: string } | undefined {
  if (!given.startsWith('arn:')) return undefined;
  for (let i = given.indexOf('='); i > 0; i = given.indexOf('=', i + 1)) {
    const arn = given.slice(0, i);
    const path = given.slice(i + 1);
    if (ROLE_ARN.test(arn) && exists(path, files)) return { arn, path };
  }
  const i = given.indexOf('=');
  return i > 0 && ROLE_ARN.test(given.slice(0, i)) ? { arn: given.slice(0, i), path: given.slice(i + 1) } : undefined;
}

function exists(path: string, files: PolicyFiles): boolean {
  try {
    if (files.isDirectory(path)) return true;
    files.read(path);
    return true;
  } catch {
    return false;
  }
}

/** The role a file was said to be for: its account fills the file's account placeholders; its ARN goes to the policy of that name (every one, if none has it). */
function bindRole(policy: FoundPolicy, arn: string, siblings: FoundPolicy[]): FoundPolicy {
  const [, account = '', name = ''] = ROLE_ARN.exec(arn) ?? [];
  const bound = forAccount(policy, account, `the account of ${arn}, given for ${policy.file}`);
  const named = siblings.some((p) => p.roleName === name);
  return named && policy.roleName !== name ? bound : { ...bound, roleArn: arn, roleName: name };
}

interface Found {
  policies: FoundPolicy[];
  errors: ReadError[];
  notes: string[];
}

async function readTarget(target: string, files: PolicyFiles, options: ReadOptions): Promise<Found> {
  let folder: boolean;
  try {
    folder = files.isDirectory(target);
  } catch (error) {
    return { policies: [], errors: [{ file: target, message: `cannot be read: ${(error as Error).message}` }], notes: [] };
  }
  if (!folder) {
    if (isTerraformFile(target)) return readTerraform(target, false, files, options);
    return { ...(await readFile(target, files, options, true)), notes: [] };
  }
  const policies: FoundPolicy[] = [];
  const errors: ReadError[] = [];
  const notes: string[] = [];
  const consumed = new Set<string>();
  const modules = new Set<string>();
  const others: string[] = [];
  // A folder another one calls as a module is read with its caller's arguments, not as a root of its own.
  const { roots, uncalled } = await terraformRoots(target, files, (name) => !SKIPPED_FOLDERS.has(name) && !name.startsWith('.'));
  notes.push(...uncalled);
  const walk = async (dir: string) => {
    let names: string[];
    try {
      names = files.list(dir).sort();
    } catch (error) {
      errors.push({ file: dir, message: (error as Error).message });
      return;
    }
    if (names.some(isTerraformFile) && roots.has(normalize(dir))) {
      const module = await readTerraform(dir, true, files, options);
      policies.push(...module.policies);
      errors.push(...module.errors);
      notes.push(...module.notes);
      for (const f of module.consumed) consumed.add(normalize(f));
      for (const m of module.modules) modules.add(normalize(m));
    }
    for (const name of names) {
      const path = join(dir, name);
      let folder: boolean;
      try {
        folder = files.isDirectory(path);
      } catch (error) {
        // A link out of the repository, or a name that cannot be resolved: said, and the rest still read.
        errors.push({ file: path, message: (error as Error).message });
        continue;
      }
      if (folder) {
        // A module another one calls is read with the caller's arguments, not again on its own.
        if (!SKIPPED_FOLDERS.has(name) && !name.startsWith('.') && !modules.has(normalize(path))) await walk(path);
      } else if (/\.(json|ya?ml|template)$/.test(name) && !/\.(tfvars|tf)\.json$/.test(name)) others.push(path);
    }
  };
  await walk(target);
  for (const path of others.filter((p) => !consumed.has(normalize(p)))) {
    const found = await readFile(path, files, options, false);
    policies.push(...found.policies);
    errors.push(...found.errors);
  }
  if (policies.length === 0 && errors.length === 0) errors.push({ file: target, message: `holds no trust policy: ${EXPECTED}${notes.length ? ` (${notes.join('; ')})` : ''}` });
  return { policies, errors, notes };
}

/** One JSON or YAML file. In a folder, a file that is no policy at all is not an error: folders hold other things too. */
async function readFile(file: string, files: PolicyFiles, options: ReadOptions, given: boolean): Promise<{ policies: FoundPolicy[]; errors: ReadError[] }> {
  const none = { policies: [], errors: [] };
  const fail = (message: string, line?: number) => ({ policies: [], errors: [{ file, ...(line ? { line } : {}), message }] });
  let text: string;
  try {
    text = files.read(file);
  } catch (error) {
    return fail(`cannot be read: ${(error as Error).message}`);
  }
  try {
    const json = /^\s*[{[]/.test(text);
    let value: unknown;
    let lines: Record<string, number> = {};
    if (json) {
      try {
        value = JSON.parse(text);
      } catch (error) {
        const message = (error as Error).message;
        const line = /line (\d+)/.exec(message)?.[1];
        if (!given && !/\.json$/.test(file)) return none;
        return fail(`not valid JSON: ${message.replace(/ in JSON at position.*$/, '')}`, line ? Number(line) : undefined);
      }
    } else {
      if (/\.json$/.test(file)) return given ? fail(`not valid JSON: ${EXPECTED}`) : none;
      try {
        ({ value, lines } = parseYamlTemplate(file, text));
      } catch (error) {
        if (given || !(error instanceof PolicyReadError) || error instanceof AliasLimitError) throw error;
        return none;
      }
    }
    if (isPlan(value)) return { policies: readPlan(file, value, text), errors: [] };
    if (isTemplate(value)) {
      const policies = readTemplate(file, value, json ? jsonLines(text, value) : lines, options);
      if (policies.length === 0) return given ? fail('is a template without an AWS::IAM::Role that has an AssumeRolePolicyDocument: expected a trust policy') : none;
      return { policies, errors: [] };
    }
    if (isPolicyJson(value)) {
      const policy = readIamJson(file, value);
      if (!given && !policy.document.Statement.some((s) => s.Principal !== undefined)) return none;
      return { policies: [policy], errors: [] };
    }
    return given ? fail(`holds no trust policy: ${EXPECTED}`) : none;
  } catch (error) {
    if (error instanceof PolicyReadError) {
      // In a folder, a permissions policy is just another file.
      if (!given && /no Principal/.test(error.message)) return none;
      return fail(error.message, error.line);
    }
    if (error instanceof PolicyError || error instanceof SyntaxError) return fail(error.message);
    throw error;
  }
}
