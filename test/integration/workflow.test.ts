// The README's pull-request workflow (trust-check/workflow.yml), run on every fixture repository as the
// runner would run it: the checkout (a copy of the fixture), the trust-check step with the inputs its `with:`
// and trust-check/action.yml give, its outputs through GITHUB_OUTPUT, and the SARIF file the upload step
// names. So the workflow users copy cannot rot: CI runs this test. And it is safe to copy: pull_request,
// never pull_request_target, and read-only but for code scanning.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const REPOS = path.join(ROOT, 'test', 'fixtures', 'repos');
const work = mkdtempSync(path.join(tmpdir(), 'trust-check-workflow-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Step {
  uses?: string;
  id?: string;
  if?: string;
  with?: Record<string, string | boolean>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; permissions?: unknown }>;
}
const workflow = parse(readFileSync(path.join(ROOT, 'trust-check', 'workflow.yml'), 'utf8')) as Workflow;
const action = parse(readFileSync(path.join(ROOT, 'trust-check', 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }>; outputs: Record<string, unknown> };
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const check = steps.find((s) => s.uses?.endsWith('/trust-check@v1'))!;
const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;

describe('safe to copy', () => {
  test('runs on pull_request (and pushes to main), never pull_request_target or workflow_run', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
  });

  test('read-only permissions, plus security-events: write for code scanning; no job widens them', () => {
    expect(workflow.permissions).toEqual({ contents: 'read', actions: 'read', 'security-events': 'write' });
    expect(Object.values(workflow.jobs).map((job) => job.permissions)).toEqual([undefined]);
  });

  test("checks out the pull request's merge commit (no ref of the head), without keeping the token", () => {
    expect(steps[0]).toEqual({ uses: 'actions/checkout@v5', with: { 'persist-credentials': false } });
  });

  test('uploads the SARIF the check wrote, also when the check fails the job', () => {
    expect(check.id).toBe('check');
    expect(upload.if).toMatch(/!cancelled\(\)/);
    expect(upload.with?.sarif_file).toBe('${{ steps.check.outputs.sarif }}');
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['sarif', 'runs', 'refused', 'strangers', 'undetermined']));
  });
});

/** What a `with:` value is in a run: this test's repository and no token (offline: the check then says what it assumed). */
const CONTEXT: Record<string, string> = { 'github.repository': 'acme/webapp', 'github.token': '' };
const resolve = (value: string) => value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => CONTEXT[name] ?? '');

function runStep(cwd: string, output: string): Promise<number | null> {
  const inputs = { ...Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? ''])), ...check.with };
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k))),
    GIT_CEILING_DIRECTORIES: path.dirname(cwd),
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: output,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, resolve(String(value))])),
  };
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [CLI], { cwd, env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', done);
  });
}

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

test('on every fixture repository, the check step writes the SARIF the upload step names, and its counts', async () => {
  const seen: Record<string, { code: number | null; outputs: Record<string, string>; results: number; unoffered: number }> = {};
  for (const repo of readdirSync(REPOS).sort()) {
    const checkout = path.join(work, repo, 'workspace');
    cpSync(path.join(REPOS, repo), checkout, { recursive: true });
    const output = path.join(work, repo, 'output');
    writeFileSync(output, '');
    const code = await runStep(checkout, output);
    const out = outputs(output);
    const sarifFile = path.resolve(checkout, upload.with!.sarif_file!.toString().replace('${{ steps.check.outputs.sarif }}', out.sarif ?? ''));
    expect([repo, out.sarif, existsSync(sarifFile)]).toEqual([repo, 'trust-check.sarif', true]);
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    // A Deny condition on a key GitHub never offers (it never applies) is an alert, and fails the job, but no
    // output counts it.
    const unoffered = sarif.runs[0]!.results.filter((r) => r.ruleId === 'key-never-offered').length;
    seen[repo] = { code, outputs: out, results: sarif.runs[0]!.results.length - unoffered, unoffered };
  }
  // Each finding the outputs count is an alert (one per fingerprint: a repeated run is one alert, so at most).
  for (const [repo, { code, outputs: out, results, unoffered }] of Object.entries(seen)) {
    const findings = Number(out.refused) + Number(out.strangers) + Number(out.undetermined);
    expect([repo, results > 0 === findings > 0, results <= findings]).toEqual([repo, true, true]);
    expect([repo, code]).toEqual([repo, code === 2 ? 2 : findings + unoffered > 0 ? 1 : 0]);
  }
  // The demo, as the README tells it: its refused push to main and its look-alike stranger are alerts.
  expect(seen['demo']).toEqual({ code: 1, outputs: { runs: '2', refused: '1', strangers: '1', undetermined: '0', sarif: 'trust-check.sarif' }, results: 2, unoffered: 0 });
  // unoffered-key's Deny on a key no token carries: alerts, and exit 1.
  expect([seen['unoffered-key']!.code, seen['unoffered-key']!.unoffered > 0]).toEqual([1, true]);
  // broken has no infra/ folder: the input error is exit 2, and the upload still has a (empty) SARIF.
  expect(seen['broken']!.code).toBe(2);
}, 600_000);
