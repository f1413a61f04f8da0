// Every value the trust check prints stays on its line: a hostile repository's file names, branch and role
// names, policy values and the error messages they cause cannot print a line the runner reads as a
// workflow command (`::add-mask::`, `::warning::`, the legacy `##[`), nor open a tag, a cell or a link in
// the job summary. The real CLI runs as the action runs it, and every line it prints is looked at.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const POLICY = '::add-mask::POLICY.json';
const BROKEN = 'bad\n::add-mask::ERROR.json';
const HOSTILE_SUB = 'x\n::warning::VALUE\r::add-mask::CR\u2028::add-mask::LS\u0085\u001b[31m\u0000';
const SUMMARY_SUB = '<img src=x onerror=alert(1)> | cell [link](https://evil.example) ``` www.evil.example';

const workflow = (role: string) => `on:
  push:
    branches: [main, "rel\\r::add-mask::BRANCH"]
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/oidc-aws-credentials@v1
        with:
          role-to-assume: ${JSON.stringify(role)}
`;

const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/webapp:ref:refs/heads/main', HOSTILE_SUB, SUMMARY_SUB, '##[add-mask]LEGACY', 'repo:*'] } },
    },
  ],
});

// The only commands the check means: an annotation, with its properties escaped.
const ANNOTATION = /^::error(?: file=[^\s:,]+(?:,line=\d+)?)?::\S/;

let repo: string;
beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'trust-check-one-line-'));
  const workflows = path.join(repo, '.github', 'workflows');
  mkdirSync(workflows, { recursive: true });
  writeFileSync(path.join(workflows, 'deploy.yml'), workflow('arn:aws:iam::111111111111:role/deploy'));
  writeFileSync(path.join(workflows, 'x\n::add-mask::WORKFLOW.yml'), workflow('${{ secrets.ROLE }}\n::add-mask::ROLE'));
  writeFileSync(path.join(workflows, '::warning::FILE.yml'), workflow('::add-mask::ROLE2'));
  writeFileSync(path.join(repo, POLICY), policy);
  writeFileSync(path.join(repo, BROKEN), '{ "not": json');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo, env: { ...clean, GIT_CEILING_DIRECTORIES: path.dirname(repo), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Lines as the runner splits them (CR, LF or both), each one either an annotation or no command at all. */
function expectNoInjectedCommand(output: string) {
  const lines = output.split(/\r\n|\r|\n/);
  const commands = lines.filter((line) => line.trimStart().startsWith('::'));
  for (const line of commands) expect(line).toMatch(ANNOTATION);
  expect(lines.filter((line) => line.includes('##['))).toEqual([]);
  // No raw control character but the line breaks between lines, none of U+2028/U+2029.
  // eslint-disable-next-line no-control-regex
  expect(lines.filter((line) => /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(line))).toEqual([]);
}

const ARGS = ['--repository', 'acme/webapp', `arn:aws:iam::111111111111:role/deploy=${POLICY}`, BROKEN];

describe('output stays on its lines', () => {
  test('in a workflow: the text report, annotations and job summary of a hostile repository', async () => {
    const summary = path.join(repo, '..', `${path.basename(repo)}-summary.md`);
    writeFileSync(summary, '');
    const result = await run(ARGS, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(result.code).toBe(2);
    expectNoInjectedCommand(result.stdout);
    expectNoInjectedCommand(result.stderr);
    // The hostile values are there, escaped: the report hides nothing.
    expect(result.stdout).toContain('x\\n::warning::VALUE\\r::add-mask::CR\\u2028::add-mask::LS\\u0085\\u001b[31m\\u0000');
    expect(result.stdout).toContain('\\u003a:add-mask::POLICY.json');
    expect(result.stdout).toContain('##\\u005badd-mask]LEGACY');
    expect(result.stdout).toMatch(/^::error file=bad\\n%3A%3Aadd-mask%3A%3AERROR\.json::not valid JSON/m);
    expect(result.stdout).toMatch(/^error: bad\\n::add-mask::ERROR\.json: /m);
    // Strangers get in through 'repo:*': their rows start with the policy's name.
    expect(result.stdout).toMatch(/^\\u003a:add-mask::POLICY\.json +repo:/m);

    const markdown = readFileSync(summary, 'utf8');
    expectNoInjectedCommand(markdown);
    // Each row of a table has its cell borders and no more, and opens no tag, code span or link.
    const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---'));
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) {
      expect(row.match(/(?<!\\)\|/g)).toHaveLength(row.includes('admits it') || row.startsWith('| Policy') ? 4 : 6);
      expect(row).not.toMatch(/(?<!\\)<(?!\/?code>)/);
      expect(row).not.toMatch(/(?<!\\)(\]\(|`|www\.|https:)/);
    }
    expect(markdown).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
  });

  test('--json keeps the exact values, escaped so that no line is a command', async () => {
    const result = await run(['--json', ...ARGS], { GITHUB_ACTIONS: 'true' });
    expect(result.code).toBe(2);
    expectNoInjectedCommand(result.stdout);
    expectNoInjectedCommand(result.stderr);
    const report = JSON.parse(result.stdout) as { strangers: { policy: string; why: string }[] };
    expect(report.strangers[0]!.policy).toBe(POLICY);
    expect(report.strangers[0]!.why).toContain(HOSTILE_SUB);
    expect(report.strangers[0]!.why).toContain('##[add-mask]LEGACY');
  });

  test('outside a workflow, errors on stderr are one line each', async () => {
    const result = await run(['--json', ...ARGS], {});
    expectNoInjectedCommand(result.stderr);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^error: bad\\n::add-mask::ERROR\.json: not valid JSON/)]);
  });

  test('an error the check stops at, in a workflow and on a terminal', async () => {
    const bad = ['--var', 'x\n::add-mask::USAGE', 'policy.json'];
    const inWorkflow = await run(bad, { GITHUB_ACTIONS: 'true' });
    expect(inWorkflow.code).toBe(2);
    expectNoInjectedCommand(inWorkflow.stdout);
    expect(inWorkflow.stdout).toMatch(/^::error::--var must be NAME=VALUE, got 'x\\n::add-mask::USAGE'$/m);
    const terminal = await run(bad, {});
    expectNoInjectedCommand(terminal.stderr);
    expect(terminal.stderr).toMatch(/^error: --var must be NAME=VALUE, got 'x\\n::add-mask::USAGE'$/m);
  });
});
