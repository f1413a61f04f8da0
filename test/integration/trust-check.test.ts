// The trust check as users run it: node dist/trust-check.js on repositories shaped like real ones, as a CLI
// and as the trust-check action (inputs, annotations, job summary), and GitHub's API as a loopback stand-in.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';
import { githubTrustPolicy, startSts, type Sts } from '../standins/sts-emulator.ts';
import { standinTls } from '../standins/tls.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const REPOS = path.join(ROOT, 'test', 'fixtures', 'repos');
const DEPLOY = 'arn:aws:iam::111111111111:role/deploy';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in a fixture repository, with none of the caller's GitHub or AWS settings. Git stops at the
 * fixtures, so the check never reads this project's own checkout (its origin, its default branch) instead.
 */
function cli(repo: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  const clean = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k))), GIT_CEILING_DIRECTORIES: REPOS };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: path.join(REPOS, repo), env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const json = (result: Result) => JSON.parse(result.stdout) as { runs: Record<string, unknown>[]; strangers: Record<string, unknown>[]; assumed: string[] };
const noStack = (result: Result) => expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at [\w.<>]+ \(|node:internal/);

describe('the CLI', () => {
  test('the after-merge mistake: exit 1, the refused run in a table with the condition, and the fix', async () => {
    const result = await cli('after-merge', ['--repository', 'acme/webapp', `${DEPLOY}=infra/deploy-trust.json`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  REFUSED   .github/workflows/deploy.yml:11 deploy: push to main\n            sub repo:acme/webapp:ref:refs/heads/main\n            statement 1 (Allow): StringLike');
    expect(result.stdout).toContain('  admitted  .github/workflows/ci.yml:11 plan: pull request into main\n            sub repo:acme/webapp:pull_request\n');
    expect(result.stdout).toContain('"repo:acme/webapp:ref:refs/heads/main"');
    expect(result.stdout).toContain('1 refused run(s), 0 stranger(s) admitted.');
  });

  test('--json has exactly the documented shape', async () => {
    const result = await cli('after-merge', ['--repository', 'acme/webapp', '--json', `${DEPLOY}=infra/deploy-trust.json`]);
    expect(result.code).toBe(1);
    const report = json(result);
    expect(Object.keys(report)).toEqual(['runs', 'strangers', 'excluded', 'assumed', 'unoffered']);
    expect(report.runs[1]).toEqual({
      workflow: '.github/workflows/deploy.yml',
      line: 11,
      job: 'deploy',
      event: 'push',
      ref: 'refs/heads/main',
      environment: null,
      role: DEPLOY,
      policy: 'infra/deploy-trust.json',
      claims: expect.objectContaining({ sub: 'repo:acme/webapp:ref:refs/heads/main', aud: 'sts.amazonaws.com', ref: 'refs/heads/main', event_name: 'push', repository: 'acme/webapp' }),
      admitted: false,
      why: expect.stringContaining("does not match 'repo:acme/webapp:ref:refs/heads/main'"),
    });
    expect(report.runs[0]).toMatchObject({ event: 'pull_request', admitted: true });
    expect(report.strangers).toEqual([]);
    expect(report.assumed).toEqual(expect.arrayContaining([expect.stringMatching(/default branch/)]));
  });

  test('a run an if: rules out is listed with the if:, as text and under --json excluded (field: !inputs.dry-run)', async () => {
    const args = ['--repository', 'acme/webapp', `${DEPLOY}=infra/deploy-trust.json`, 'arn:aws:iam::111111111111:role/plan=infra/plan-trust.json'];
    const text = await cli('inputs', args);
    expect(text.stdout).toMatch(/Not run: no token, because an if: is false for the run\n.*\n.*\n\.github\/workflows\/deploy\.yml:22 apply: workflow_dispatch with dry-run=true, target=staging on the default branch +the job's if: \$\{\{ !inputs\.dry-run \}\} is false for this run/);
    const report = json(await cli('inputs', ['--json', ...args])) as unknown as { excluded: Record<string, unknown>[] };
    expect(report.excluded).toContainEqual({
      workflow: '.github/workflows/deploy.yml',
      line: 31,
      job: 'plan',
      event: 'push',
      trigger: 'push to main',
      why: "the job's if: github.event_name == 'workflow_dispatch' && inputs.dry-run == false is false for this run",
    });
  });

  test('exit 0 when every run is admitted and no stranger is', async () => {
    const result = await cli('after-merge', ['--repository', 'acme/webapp', '--json', `${DEPLOY}=infra/deploy-trust-fixed.json`]);
    expect(result.code).toBe(0);
    expect(json(result).runs.map((r) => r.admitted)).toEqual([true, true]);
  });

  test("credentials through a local composite action are judged, the role's ARN written from the workflow's env: (field: tqer39/terraform-aws)", async () => {
    const result = await cli('composite', ['--repository', 'acme/webapp', '--json', 'infra']);
    expect(result.code).toBe(0);
    const report = json(result);
    expect(report.runs.map((r) => `${r.job} ${r.event} ${r.role} ${r.admitted}`)).toEqual([
      'terraform pull_request arn:aws:iam::111111111111:role/sandbox-webapp-deploy true',
      'terraform push arn:aws:iam::111111111111:role/sandbox-webapp-deploy true',
      // A job's env: written as an expression hides the workflow's.
      'shadowed pull_request arn:aws:iam::111111111111:role/${{ env.OIDC_IAM_ROLE }} true',
      'shadowed push arn:aws:iam::111111111111:role/${{ env.OIDC_IAM_ROLE }} true',
    ]);
    expect(report.assumed).toContain('.github/workflows/plan.yml line 17: env.OIDC_IAM_ROLE = "sandbox-webapp-deploy" (the workflow\'s env:; a step before could change it through $GITHUB_ENV)');
  });

  test('a role only the run knows is judged in the account of the GitHub provider its policy names (field: tqer39/terraform-aws)', async () => {
    const result = await cli('provider-account', ['--repository', 'acme/webapp', '--json', 'infra']);
    expect(result.code).toBe(0);
    const report = json(result);
    expect(report.runs.map((r) => `${r.job} ${r.event} ${r.admitted}`)).toEqual(['deploy push true']);
    expect(report.assumed).toContain('infra/main.tf#aws_iam_role.this: data.aws_caller_identity.current.account_id = 111111111111 (the account of the GitHub provider it trusts)');
  });

  test('nothing judged is said as such, not as every run admitted', async () => {
    const result = await cli('after-merge', ['--repository', 'acme/webapp', 'arn:aws:iam::111111111111:role/other=infra/deploy-trust.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing was judged: no run was matched with a trust policy.');
    expect(result.stdout).not.toContain('Every predicted run is admitted');
  });

  test('a value left unresolved over several lines stays on the lines of its run (field: lenhofr/bstri)', async () => {
    const result = await cli('unresolved', ['--repository', 'acme/webapp', 'infra']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/UNKNOWN {3}\.github\/workflows\/deploy\.yml:\d+ deploy: push to main\n\s+sub repo:acme\/webapp:ref:refs\/heads\/main\n\s+depends on var\.subject != "" \? \( var\.subject \) : "repo:acme\/webapp:\*", not resolved:\s+give --var subject=VALUE\n/);
  });

  test('a verdict resting on a variable nobody gave is UNKNOWN, names it, proposes no change, and is a finding', async () => {
    const result = await cli('undetermined', ['--repository', 'acme/webapp', 'infra']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/UNKNOWN {3}\.github\/workflows\/deploy\.yml:\d+ deploy: push to main\n\s+sub repo:acme\/webapp:ref:refs\/heads\/main\n\s+depends on var\.org, not resolved: give --var org=VALUE\n/);
    expect(result.stdout).not.toContain('REFUSED');
    expect(result.stdout).not.toContain('Change the GitHub statement');
    // Whether another owner's token gets in rests on var.org too: said, not claimed either way.
    expect(result.stdout).toMatch(/UNKNOWN {3}sub repo:intruder\/webapp:ref:refs\/heads\/main\n.*\n\s+depends on var\.org/);
    const report = json(await cli('undetermined', ['--repository', 'acme/webapp', '--json', 'infra']));
    expect(Object.keys(report)).toEqual(['runs', 'strangers', 'excluded', 'assumed', 'unoffered']);
    expect(report.runs).toEqual([expect.objectContaining({ event: 'push', admitted: false, why: 'undetermined: depends on var.org, not resolved: give --var org=VALUE' })]);
    expect(Object.keys(report.runs[0]!)).toEqual(['workflow', 'line', 'job', 'event', 'ref', 'environment', 'role', 'policy', 'claims', 'admitted', 'why']);
    expect(report.strangers.length).toBeGreaterThan(0);
    for (const s of report.strangers) {
      expect(Object.keys(s)).toEqual(['policy', 'role', 'claims', 'why']);
      expect(s.why).toMatch(/^undetermined: depends on var\.org/);
    }
  });

  test('the same policy with the variable given: a real verdict (StringNotLike repo:acme/*:pull_request holds for a push)', async () => {
    const result = await cli('undetermined', ['--repository', 'acme/webapp', '--var', 'org=acme', 'infra']);
    expect(result.stdout).toMatch(/admitted {2}\.github\/workflows\/deploy\.yml:\d+ deploy: push to main\n\s+sub repo:acme\/webapp:ref:refs\/heads\/main\n/);
    expect(result.stdout).not.toContain('UNKNOWN');
    // Known now: the NotLike lets any other owner's push in, and the fix is advised.
    expect(result.stdout).toMatch(/ADMITTED {2}sub repo:intruder\/webapp:ref:refs\/heads\/main\n.*\n\s+a repository of another owner/);
    expect(result.stdout).toContain('Change the GitHub statement');
    expect(result.code).toBe(1);
  });

  test("the advice says when its provider ARN holds a stand-in for an account no source names (field: aws-actions/configure-aws-credentials' sample)", async () => {
    const result = await cli('stand-in-account', ['--repository', 'acme/webapp', 'infra']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"');
    // The note is one sentence, wrapped to fit a terminal.
    expect(result.stdout.replace(/\s*\n\s*/g, ' ')).toContain("(123456789012 is a stand-in account for the role's, which neither the workflows nor the policy name: keep your own provider ARN)");
  });

  test('a stranger: the condition that lets it in and the change that keeps it out', async () => {
    const result = await cli('strangers', ['--repository', 'acme/webapp', '--json', `${DEPLOY}=infra/prefix.json`]);
    expect(result.code).toBe(1);
    expect(json(result).strangers).toEqual([
      {
        policy: 'infra/prefix.json',
        role: DEPLOY,
        claims: expect.objectContaining({ sub: 'repo:acme/webapp-fork:ref:refs/heads/main', repository: 'acme/webapp-fork' }),
        why: "a look-alike name (acme/webapp-fork): statement 1 admits it: StringLike sub 'repo:acme/webapp*' lets in 'repo:acme/webapp-fork:ref:refs/heads/main'; keep it out: pin sub to 'repo:acme/webapp:ref:refs/heads/main' (the fix below)",
      },
    ]);
  });

  test('--immutable with --subject-claims KEYS, the IDs given, and --visibility: the subjects GitHub renders (field: OWNER@ID/REPO@ID with custom keys)', async () => {
    const immutable = await cli('after-merge', ['--repository', 'acme/webapp', '--json', '--subject-claims', 'repo,context,job_workflow_ref', '--immutable', '--owner-id', '123', '--repository-id', '456', `${DEPLOY}=infra/deploy-trust-fixed.json`]);
    expect(json(immutable).runs[1]!.claims).toMatchObject({
      sub: 'repo:acme@123/webapp@456:ref:refs/heads/main:job_workflow_ref:acme/webapp/.github/workflows/deploy.yml@refs/heads/main',
      repository_id: '456',
      repository_owner_id: '123',
    });
    const visibility = await cli('after-merge', ['--repository', 'acme/webapp', '--json', '--subject-claims', 'repository_owner,repository_visibility', '--visibility', 'private', `${DEPLOY}=infra/deploy-trust-fixed.json`]);
    expect(json(visibility).runs[1]!.claims).toMatchObject({ sub: 'repository_owner:acme:repository_visibility:private', repository_visibility: 'private' });
  });

  test('a role only the run knows: the report says which policies admit it', async () => {
    const result = await cli('secret-role', ['--repository', 'acme/webapp', 'infra/']);
    expect(result.stdout).toContain('${{ secrets.DEPLOY_ROLE }}: every run is admitted by infra/both.json; not by infra/pr-only.json');
    // One of the policies may be the role's: no run is refused by all of them.
    expect(result.code).toBe(0);
  });

  test('bad workflows: one error each naming file and line, no stack trace, exit 2, the other workflows still checked', async () => {
    const result = await cli('broken', ['--repository', 'acme/webapp', '--json', `${DEPLOY}=trust.json`]);
    expect(result.code).toBe(2);
    noStack(result);
    const errors = result.stderr.trim().split('\n');
    expect(errors).toEqual([
      expect.stringMatching(/^error: \.github\/workflows\/bad-yaml\.yml:6: .+/),
      "error: .github/workflows/not-a-workflow.yaml:2: Unexpected value 'version'",
    ]);
    expect(json(result).runs.map((r) => `${r.workflow} ${r.admitted}`)).toEqual(['.github/workflows/deploy.yml true']);
  });

  test('a policy file that holds no trust policy names the file and what was expected', async () => {
    const result = await cli('broken', ['--repository', 'acme/webapp', '.github/workflows/deploy.yml']);
    expect(result.code).toBe(2);
    noStack(result);
    expect(result.stdout).toMatch(/error: \.github\/workflows\/deploy\.yml: .*expected/);
  });

  test.each([
    [['--var', 'novalue', 'x.json'], /--var must be NAME=VALUE, got 'novalue'/],
    [['--bogus', 'x.json'], /Unknown option '--bogus'/],
    [[], /give at least one POLICY/],
    [['--repository', 'not a repo', 'x.json'], /--repository must be OWNER\/REPO/],
    [['--repository', 'acme/webapp', '--subject-claims', 'repo,bad-key', 'x.json'], /'bad-key' is not a claim key/],
    [['--repository', 'acme/webapp', '--subject-claims', 'repository_owner,repository_visibility', 'x.json'], /names repository_visibility \(give --visibility public\|private\|internal\)/],
    [['--repository', 'acme/webapp', '--visibility', 'secret', 'x.json'], /--visibility must be public, private or internal, got "secret"/],
    [['--repository', 'acme/webapp', '--immutable', 'x.json'], /the immutable form needs the owner and repository IDs: give --owner-id and --repository-id/],
  ])('bad arguments %j: one line, exit 2', async (args, message) => {
    const result = await cli('after-merge', args);
    expect(result.code).toBe(2);
    noStack(result);
    expect(result.stderr).toMatch(message);
  });
});

describe('in a workflow', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trust-check-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('as the action: inputs, an ::error annotation on the refused job, a job summary table', async () => {
    const summary = path.join(dir, 'summary.md');
    const result = await cli('after-merge', [], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_REPOSITORY: 'acme/webapp',
      'INPUT_POLICIES': `${DEPLOY}=infra/deploy-trust.json\n`,
      'INPUT_WORKFLOWS': '.github/workflows',
      'INPUT_SUBJECT-CLAIMS': 'default',
    });
    expect(result.code).toBe(1);
    const annotations = result.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotations).toEqual([
      expect.stringMatching(/^::error file=\.github\/workflows\/deploy\.yml,line=11::deploy: push to main presents sub repo:acme\/webapp:ref:refs\/heads\/main, which the trust policy of arn:aws:iam::111111111111:role\/deploy \(infra\/deploy-trust\.json\) refuses: /),
    ]);
    const table = readFileSync(summary, 'utf8');
    expect(table).toContain('| Job | Run | sub | Role | Verdict |');
    // Values are Markdown-escaped (\: \. \_), so that none can open a tag, a cell or a link.
    expect(table).toMatch(/\| \\\.github\/workflows\/deploy\\\.yml deploy \| push to main \| <code>repo\\:acme\/webapp\\:ref\\:refs\/heads\/main<\/code> \| .* \| ❌ refused/);
    expect(table).toMatch(/\| <code>repo\\:acme\/webapp\\:pull\\_request<\/code> \| .* \| ✅ admitted \|/);
  });

  test('an admitted stranger is annotated on the policy file', async () => {
    const result = await cli('strangers', ['--repository', 'acme/webapp', `${DEPLOY}=infra/no-sub.json`], { GITHUB_ACTIONS: 'true' });
    expect(result.code).toBe(1);
    const annotations = result.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotations).toHaveLength(5);
    expect(annotations[0]).toMatch(/^::error file=infra\/no-sub\.json::infra\/no-sub\.json admits a repository of another owner .*no condition on sub/);
  });
});

describe("GitHub's API, when a token is there", () => {
  let server: Server;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/repos/acme/webapp') res.end(JSON.stringify({ id: 456789, owner: { id: 123456 }, default_branch: 'main', visibility: 'internal' }));
      else if (req.url === '/repos/acme/webapp/actions/oidc/customization/sub') res.end(JSON.stringify({ use_default: false, include_claim_keys: ['repo', 'context', 'job_workflow_ref'] }));
      else if (req.url?.startsWith('/repos/acme-platform/workflows/contents/') && req.url.endsWith('?ref=v2') && !req.url.includes('notes')) {
        // The platform repository's file, as the contents API gives it (base64).
        const file = decodeURIComponent(req.url.slice('/repos/acme-platform/workflows/contents/'.length, -'?ref=v2'.length));
        const content = readFileSync(path.join(REPOS, 'cross-repo', 'platform-checkout', file));
        res.end(JSON.stringify({ type: 'file', path: file, size: content.length, encoding: 'base64', content: content.toString('base64') }));
      } else {
        res.statusCode = 404;
        res.end('{"message":"Not Found"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the subject template, the IDs and the default branch come from the API', async () => {
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await cli('after-merge', ['--repository', 'acme/webapp', '--json', `${DEPLOY}=infra/deploy-trust-fixed.json`], { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: api });
    expect(seen).toEqual(['GET /repos/acme/webapp token ghs_test', 'GET /repos/acme/webapp/actions/oidc/customization/sub token ghs_test']);
    const report = json(result);
    expect(report.runs[1]!.claims).toMatchObject({
      sub: 'repo:acme/webapp:ref:refs/heads/main:job_workflow_ref:acme/webapp/.github/workflows/deploy.yml@refs/heads/main',
      repository_id: '456789',
      repository_owner_id: '123456',
      repository_visibility: 'internal',
    });
    // The policy written for the default template refuses the customized subjects.
    expect(result.code).toBe(1);
    expect(report.assumed.join('\n')).not.toMatch(/default branch main \(neither/);
  });
  test("a reusable workflow in another repository is read through the contents API at the caller's ref", async () => {
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const args = ['--repository', 'acme/webapp', '--json', '--subject-claims', 'default', 'arn:aws:iam::111111111111:role/apply=infra/apply-trust.json'];
    const report = json(await cli('cross-repo', args, { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: api }));
    expect(seen.filter((s) => s.includes('/contents/'))).toEqual([
      `GET /repos/acme-platform/workflows/contents/${encodeURIComponent('.github/workflows/terraform.yml')}?ref=v2 token ghs_test`,
      `GET /repos/acme-platform/workflows/contents/${encodeURIComponent('.github/workflows/notes.yml')}?ref=v2 token ghs_test`,
    ]);
    expect(report.runs.map((r) => [r.job, r.admitted, (r.claims as Record<string, string>).job_workflow_ref])).toEqual([['apply / terraform', true, 'acme-platform/workflows/.github/workflows/terraform.yml@refs/tags/v2']]);
    expect(report.assumed.join('\n')).toMatch(/calls \.\/\.github\/workflows\/notes\.yml, which is in another repository \(GitHub's API did not give it: .*\): its jobs are not checked/);
  });
});

describe('--workflow-source OWNER/REPO=DIR: a checkout of the repository whose reusable workflow is called', () => {
  test("its jobs are judged with the caller's token: a nested workflow the policy does not pin is refused, exit 1", async () => {
    const args = ['--repository', 'acme/webapp', '--workflow-source', 'acme-platform/workflows=platform-checkout', 'arn:aws:iam::111111111111:role/apply=infra/apply-trust.json', 'arn:aws:iam::111111111111:role/plan=infra/plan-trust.json'];
    const result = await cli('cross-repo', args);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/deploy\.yml:18 apply \/ terraform: push to main +repo:acme\/webapp:environment:production +admitted/);
    expect(result.stdout).toMatch(/deploy\.yml:13 plan \/ release-notes \/ notes: pull request into main +repo:acme\/webapp:pull_request +REFUSED: .*job_workflow_ref/);
    expect(result.stdout).toContain('read from the checkout platform-checkout (as checked out, taken as v2)');
  });

  test('a file in the checkout that leads outside it (a symlink) is not read, and that is said; a malformed value is one error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'checkout-'));
    try {
      mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
      symlinkSync(path.join(REPOS, 'cross-repo', 'platform-checkout', '.github', 'workflows', 'terraform.yml'), path.join(dir, '.github', 'workflows', 'terraform.yml'));
      const result = await cli('cross-repo', ['--repository', 'acme/webapp', '--json', '--workflow-source', `acme-platform/workflows=${dir}`, 'arn:aws:iam::111111111111:role/apply=infra/apply-trust.json']);
      expect(json(result).runs).toEqual([]);
      expect(json(result).assumed.join('\n')).toContain(`which is in another repository (.github/workflows/terraform.yml is not a file inside the checkout ${dir}): its jobs are not checked`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = await cli('cross-repo', ['--repository', 'acme/webapp', '--workflow-source', 'platform-checkout', 'x.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe("error: --workflow-source must be OWNER/REPO=DIR, got 'platform-checkout'");
    noStack(bad);
  });
});


describe('--from-aws: the roles themselves, with iam:GetRole', () => {
  const USER = { name: 'auditor', accessKeyId: 'AKIAEMULATORAUDITOR1', secretAccessKey: 'auditor-secret/+=' };
  let sts: Sts;
  beforeAll(async () => {
    sts = await startSts({
      jwks: {},
      accounts: [{ id: '111111111111', oidcProviders: [], users: [USER], roles: [{ name: 'deploy', trustPolicy: githubTrustPolicy('111111111111', 'repo:acme/webapp:pull_request') }] }],
    });
  });
  afterAll(() => sts.close());

  test("each role the workflows assume is read from IAM and judged: the after-merge mistake, found in the account", async () => {
    const result = await cli('after-merge', ['--repository', 'acme/webapp', '--json', '--from-aws'], {
      // The emulator speaks HTTPS with the stand-ins' own CA, which the check trusts as Node's clients do.
      ...(await standinTls()).env,
      AWS_ENDPOINT_URL_IAM: sts.url,
      AWS_ACCESS_KEY_ID: USER.accessKeyId,
      AWS_SECRET_ACCESS_KEY: USER.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(json(result).runs.map((r) => `${r.policy} ${r.event} ${r.admitted}`)).toEqual([
      `aws:${DEPLOY} pull_request true`,
      `aws:${DEPLOY} push false`,
    ]);
    expect(sts.calls.filter((c) => c.action === 'GetRole').map((c) => c.result)).toEqual(['OK']);
  });
});
