// The trust check on minimal repositories shaped like the public ones its field trial disagreed with
// (test/fixtures/field/<name>/, each naming the repository that showed it): node dist/trust-check.js as users run it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const FIELD = path.join(ROOT, 'test', 'fixtures', 'field');

interface Result {
  code: number | null;
  stdout: string;
}

/** Runs the CLI in a fixture repository, with none of the caller's GitHub or AWS settings, git stopped at the fixtures. */
function cli(repo: string, args: string[]): Promise<Result> {
  const clean = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k))), GIT_CEILING_DIRECTORIES: FIELD };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: path.join(FIELD, repo), env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

interface Report {
  runs: { job: string; ref: string; claims: { sub: string }; admitted: boolean; why: string }[];
  strangers: { claims: { sub: string }; why: string }[];
  excluded: { job: string; trigger: string; why: string }[];
  assumed: string[];
}
const report = (result: Result) => JSON.parse(result.stdout) as Report;

describe('a value left unresolved decides only the verdicts that rest on it', () => {
  test('a run that a resolved value of the condition admits is admitted, whatever the unresolved one is (field: tosicky/cloud-security-guardrails)', async () => {
    const result = await cli('terraform-resolved-alternative', ['--repository', 'acme/webapp', '--json', 'infra']);
    const { runs, strangers } = report(result);
    expect(runs.map((r) => `${r.job} ${r.claims.sub} ${r.admitted ? 'admitted' : r.why.split(':')[0]}`)).toEqual([
      'apply repo:acme/webapp:ref:refs/heads/main admitted',
      // The environment's subject matches only if var.environment is CloudSec: that one stays UNKNOWN.
      'baseline repo:acme/webapp:environment:CloudSec undetermined',
    ]);
    // No value of var.environment lets another repository in: the resolved prefix keeps every stranger out.
    expect(strangers).toEqual([]);
    expect(result.code).toBe(1);
  });

  test('with the variable given, both runs are admitted and the check passes', async () => {
    const result = await cli('terraform-resolved-alternative', ['--repository', 'acme/webapp', '--json', '--var', 'environment=CloudSec', 'infra']);
    expect(report(result).runs.map((r) => r.admitted)).toEqual([true, true]);
    expect(result.code).toBe(0);
  });
});

describe('the runs an `if:` allows', () => {
  test("a step that signs in only for one option of a choice input is predicted with that option (field: ulfiac/aws-bootstrap)", async () => {
    const result = await cli('dispatch-choice-step-if', ['--repository', 'acme/webapp', '--json', 'arn:aws:iam::111111111111:role/deploy=infra/deploy-trust.json']);
    const { runs } = report(result);
    // auth=keys signs in with keys, not the OIDC token: no run of it is judged; auth=oidc is, and admitted.
    expect(runs.map((r) => `${r.job} ${r.claims.sub} ${r.admitted}`)).toEqual(['apply repo:acme/webapp:ref:refs/heads/main true']);
    expect(result.code).toBe(0);
  });

  test("the branches a job's if: names are its runs, and the branches it keeps out are not, whatever the parts only the run knows say (field: mincuru/mincuru-sveltekit)", async () => {
    const result = await cli('if-names-branches', ['--repository', 'acme/webapp', '--json', 'arn:aws:iam::111111111111:role/deploy=infra/deploy-trust.json']);
    const { runs, excluded } = report(result);
    expect(runs.map((r) => `${r.job} ${r.ref} ${r.admitted}`)).toEqual(['deploy refs/heads/stg true', 'deploy refs/heads/prd true', 'publish refs/tags/latest true']);
    // (stg || prd) && needs… is false on main, on any other branch and on a tag, whatever needs says: those
    // runs never present a token (said as such), so no false alarm. The tag publish names is its only tag run.
    expect(excluded.filter((e) => e.job === 'deploy').map((e) => e.trigger)).toEqual(['push to main', 'push to any other branch (feature stands for them)', 'push of any tag (v1.0.0 stands for them)']);
    expect(result.code).toBe(0);
  });
});

describe('Terraform: a value only Terraform knows, inside a jsonencode() policy', () => {
  test("a provider ARN from another configuration's remote state is a placeholder, not an unreadable policy (field: MATATAT/resume-2.0)", async () => {
    const result = await cli('terraform-remote-state-principal', ['--repository', 'acme/webapp', '--json', 'infra']);
    const { runs } = report(result);
    expect(runs.map((r) => `${r.job} ${r.claims.sub} ${r.admitted}`)).toEqual(['release repo:acme/webapp:ref:refs/heads/main true']);
    expect(report(result).assumed).toContain(
      "infra/main.tf#aws_iam_role.deploy: the Federated principal ${data.terraform_remote_state.core.outputs.oidc_provider_arn} is taken as GitHub's provider, arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com (in a stand-in account)",
    );
    expect(result.code).toBe(0);
  });
});
