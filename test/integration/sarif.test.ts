// The trust check's SARIF as GitHub code scanning takes it: every fixture repository's SARIF validated by
// Microsoft's SARIF validator with GitHub's ingestion rules and the spec's, fingerprints that survive an
// edit above a finding, and the action's outputs for the next step. And, from the same runs, a text
// report that fits a terminal of 100 columns; --help that tells every flag.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const REPOS = path.join(ROOT, 'test', 'fixtures', 'repos');
const DEPLOY = 'arn:aws:iam::111111111111:role/deploy';
const work = mkdtempSync(path.join(tmpdir(), 'trust-check-sarif-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const clean = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k))), GIT_CEILING_DIRECTORIES: path.dirname(cwd) };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The policies of a fixture repository: everything in it but its workflows (.github). */
const policiesOf = (repo: string) => readdirSync(path.join(REPOS, repo)).filter((n) => !n.startsWith('.')).sort();

interface SarifResult {
  ruleId: string;
  level?: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
  partialFingerprints: Record<string, string>;
}
interface Sarif {
  runs: { tool: { driver: { rules: { id: string; properties: Record<string, unknown>; help: { text: string } }[] } }; results: SarifResult[] }[];
}
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Sarif;

// The package's own bin runs the binary through a shell, which splits "Gh;Sarif" at the ';': run the binary itself.
const VALIDATOR = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;

describe("the SARIF of every fixture repository passes Microsoft's validator with GitHub's rules", () => {
  const repos = readdirSync(REPOS).sort();
  const written: Record<string, string> = {};
  const texts: Record<string, string> = {};

  const results: Record<string, Run> = {};

  // Fifteen runs of the check, three at a time: a hang fails here, slowness on a loaded machine does not.
  beforeAll(async () => {
    for (let i = 0; i < repos.length; i += 3) {
      await Promise.all(
        repos.slice(i, i + 3).map(async (repo) => {
          const file = path.join(work, `${repo}.sarif`);
          results[repo] = await run(process.execPath, [CLI, '--repository', 'acme/webapp', '--sarif', file, ...policiesOf(repo)], path.join(REPOS, repo));
          written[repo] = file;
          texts[repo] = results[repo].stdout;
        }),
      );
    }
  }, 600_000);

  test('the check writes it, whatever its exit status', () => {
    for (const repo of repos) expect([repo, results[repo]!.code !== null && results[repo]!.code! <= 2, results[repo]!.stderr]).toEqual([repo, true, expect.not.stringMatching(/unexpected failure/)]);
    // The fixtures hold every kind of finding that the check reports today.
    const rules = new Set(Object.values(written).flatMap((f) => read(f).runs[0]!.results.map((r) => r.ruleId)));
    expect([...rules].sort()).toEqual(['key-never-offered', 'refused-run', 'stranger-admitted', 'undetermined']);
  });

  test('no error, in one run of the validator over all of them', async () => {
    const files = Object.values(written);
    expect(files).toHaveLength(repos.length);
    // A control the validator must fault: the demo's SARIF without its rules, which GitHub requires (GH1018).
    const control = path.join(work, 'control.sarif');
    const broken = read(written['demo']!) as unknown as { runs: { tool: { driver: { rules?: unknown } } }[] };
    delete broken.runs[0]!.tool.driver.rules;
    writeFileSync(control, JSON.stringify(broken));
    const out = path.join(work, 'validation.sarif');
    const result = await run(VALIDATOR, ['validate', ...files, control, '--rule-kind', 'Gh;Sarif', '--output', out, '--log', 'ForceOverwrite'], work);
    expect(result.code).toBe(0);
    const errors = read(out)
      .runs[0]!.results.filter((r) => (r.level ?? 'warning') === 'error')
      .map((r) => `${path.basename(decodeURIComponent(r.locations[0]!.physicalLocation.artifactLocation.uri))} ${r.ruleId}`);
    // Every error is the control's (its results' ruleIndex now points nowhere too: SARIF1009).
    expect(errors).toContain('control.sarif GH1018');
    expect(errors.filter((e) => !e.startsWith('control.sarif '))).toEqual([]);
  });

  test('the text report fits a terminal of 100 columns: no line is longer', () => {
    expect(Object.keys(texts)).toHaveLength(repos.length);
    const long = Object.entries(texts).flatMap(([repo, text]) => text.split('\n').filter((line) => line.length > 100).map((line) => `${repo}: ${line}`));
    expect(long).toEqual([]);
    // What it used to put on one line is still all there: the demo's refusal, wrapped under its run.
    expect(texts['demo']!.replace(/\s+/g, ' ')).toContain("REFUSED .github/workflows/deploy.yml:11 deploy: push to main sub repo:acme/webapp:ref:refs/heads/main statement 1 (Allow): StringLike token.actions.githubusercontent.com:sub 'repo:acme/webapp*:pull_request' does not match 'repo:acme/webapp:ref:refs/heads/main'");
  });

  test('each rule has a short and full description, help with the fix, and a security-severity', () => {
    const { rules } = read(written['demo']!).runs[0]!.tool.driver as unknown as { rules: { id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string }; properties: Record<string, string> }[] };
    expect(rules.map((r) => r.id)).toEqual(['refused-run', 'stranger-admitted', 'key-never-offered', 'undetermined']);
    for (const rule of rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(20);
      expect(rule.fullDescription.text.length).toBeGreaterThan(rule.shortDescription.text.length);
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
      // The help says what to change: a fix, not the description again.
      expect(rule.help.text).toMatch(/^(Change|Pin|Use|Give) /);
    }
  });

  test('each result is on the line that causes it, relative to the repository root, with the change to make', () => {
    const results = read(written['demo']!).runs[0]!.results;
    const at = (r: SarifResult) => `${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine}`;
    const refused = results.find((r) => r.ruleId === 'refused-run')!;
    const stranger = results.find((r) => r.ruleId === 'stranger-admitted')!;
    // The refused run: the deploy job; the stranger: the line of the condition on sub that lets it in.
    expect(at(refused)).toBe('.github/workflows/deploy.yml:11');
    expect(readFileSync(path.join(REPOS, 'demo/.github/workflows/deploy.yml'), 'utf8').split('\n')[10]).toMatch(/^\s+deploy:/);
    expect(at(stranger)).toBe('infra/iam.tf:13');
    expect(readFileSync(path.join(REPOS, 'demo/infra/iam.tf'), 'utf8').split('\n')[12]).toContain('"token.actions.githubusercontent.com:sub"');
    for (const r of [refused, stranger]) expect(r.message.text).toContain('Proposed change: give the GitHub statement of infra/iam.tf#aws_iam_role.deploy the Condition {"StringEquals":');
  });
});

test('fingerprints stay the same when an unrelated line is added above each finding', async () => {
  const repo = path.join(work, 'demo');
  cpSync(path.join(REPOS, 'demo'), repo, { recursive: true });
  const sarif = async () => {
    const file = path.join(work, 'demo-again.sarif');
    expect((await run(process.execPath, [CLI, '--repository', 'acme/webapp', '--sarif', file, 'infra'], repo)).code).toBe(1);
    return read(file).runs[0]!.results.map((r) => ({ rule: r.ruleId, line: r.locations[0]!.physicalLocation.region.startLine, fingerprints: r.partialFingerprints }));
  };
  const before = await sarif();
  for (const [file, comment] of [['.github/workflows/deploy.yml', '# an unrelated comment'], ['infra/iam.tf', '# an unrelated comment']] as const)
    writeFileSync(path.join(repo, file), `${comment}\n${readFileSync(path.join(repo, file), 'utf8')}`);
  const after = await sarif();
  expect(before.map((r) => r.rule)).toEqual(['refused-run', 'stranger-admitted']);
  // Every finding moved down a line, and kept its fingerprint.
  expect(after).toEqual(before.map((r) => ({ ...r, line: r.line + 1 })));
});

describe('the action', () => {
  /** GITHUB_OUTPUT in the runner's format: NAME<<DELIMITER, the value's lines, DELIMITER. */
  function outputs(file: string): Record<string, string> {
    const found: Record<string, string> = {};
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const head = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
      if (!head) continue;
      const end = lines.indexOf(head[2]!, i + 1);
      found[head[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    }
    return found;
  }

  const action = async (name: string, inputs: Record<string, string>, cwd = path.join(REPOS, name)) => {
    const output = path.join(work, `${name}.output`);
    writeFileSync(output, '');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, GITHUB_REPOSITORY: 'acme/webapp', ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])) };
    const result = await run(process.execPath, [CLI], cwd, env);
    return { result, outputs: outputs(output) };
  };

  test('outputs the counts and the SARIF path; vars resolve what was UNKNOWN', async () => {
    const sarif = path.join(work, 'action.sarif');
    const without = await action('undetermined', { policies: 'infra', 'subject-claims': 'default', sarif });
    expect(without.result.code).toBe(1);
    expect(without.outputs).toEqual({ runs: '1', refused: '0', strangers: '0', undetermined: '6', sarif });
    expect(read(sarif).runs[0]!.results.map((r) => r.ruleId)).toEqual(Array(6).fill('undetermined'));
    const withVars = await action('undetermined', { policies: 'infra', 'subject-claims': 'default', vars: 'org=acme\n' });
    // With org given, the verdicts are known: the policy's StringNotLike lets other repositories in.
    expect(withVars.outputs).toEqual({ runs: '1', refused: '0', strangers: '5', undetermined: '0', sarif: '' });
  });

  test('var-files: a .tfvars file per line', async () => {
    // The check reads only inside the repository root: a copy of the repository holds the .tfvars file.
    const repo = path.join(work, 'var-files');
    cpSync(path.join(REPOS, 'undetermined'), repo, { recursive: true });
    writeFileSync(path.join(repo, 'org.tfvars'), 'org = "acme"\n');
    const { result, outputs: out } = await action('undetermined', { policies: 'infra', 'subject-claims': 'default', 'var-files': '\norg.tfvars\n' }, repo);
    expect([result.code, out.undetermined, out.strangers]).toEqual([1, '0', '5']);
  });

  test("the stranger's finding counts, and a bad vars line is one error", async () => {
    const { outputs: out } = await action('after-merge', { policies: `${DEPLOY}=infra/deploy-trust.json`, 'subject-claims': 'default' });
    expect(out).toMatchObject({ runs: '2', refused: '1' });
    const bad = await action('undetermined', { policies: 'infra', vars: 'org' });
    expect(bad.result.code).toBe(2);
    expect(bad.result.stdout).toContain("::error::each line of the input vars must be NAME=VALUE, got 'org'");
  });
});

test('--help names every flag the CLI takes, what a folder is, --var for CloudFormation, the exit statuses, four examples', async () => {
  const result = await run(process.execPath, [CLI, '--help'], path.join(REPOS, 'demo'));
  expect(result.code).toBe(0);
  const help = result.stdout;
  const source = readFileSync(path.join(ROOT, 'src', 'trust-check.ts'), 'utf8');
  const parsed = /parseArgs\(\{[\s\S]*?options: \{([\s\S]*?)\n {6}\},/.exec(source)![1]!;
  const flags = [...parsed.matchAll(/^ {8}'?([\w-]+)'?:/gm)].map((m) => m[1]!);
  expect(flags).toEqual(expect.arrayContaining(['repository', 'var', 'sarif', 'help']));
  for (const flag of flags) expect([flag, help]).toEqual([flag, expect.stringMatching(new RegExp(`^  --${flag}\\b.* \\w`, 'm'))]);
  expect(help).toMatch(/holds \.tf\s+files is read as one Terraform root module/);
  expect(help).toMatch(/--var NAME=VALUE\s+a Terraform variable, and a CloudFormation parameter/);
  expect(help).toMatch(/Exit status: 0 .*; 1 .*\n.*; 2 /);
  expect(help.split('Examples:\n')[1]!.split('\n').filter((l) => l.startsWith('  trust-check '))).toHaveLength(4);
  expect(help.split('\n').filter((l) => l.length > 100)).toEqual([]);
});
