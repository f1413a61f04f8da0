// The SARIF renderer on its own (pure: a check's result and the files' text in, a SARIF log out): where each
// kind of finding points, what its message proposes, and which parts of a finding its fingerprint is made of.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { fixesFor } from '../../src/check/fix.ts';
import { judge, type Unoffered } from '../../src/check/judge.ts';
import type { CheckResult } from '../../src/check/report.ts';
import type { Repository } from '../../src/check/repository.ts';
import { RULES, toSarif, type SarifSources } from '../../src/check/sarif.ts';
import { readWorkflows } from '../../src/check/workflows.ts';
import { toPolicyDocument } from '../../src/iam/policy.ts';
import type { FoundPolicy } from '../../src/policies/found.ts';

const REPO = path.join('test', 'fixtures', 'repos', 'after-merge');
const repository: Repository = { owner: 'acme', repo: 'webapp', defaultBranch: 'main', shape: { useDefault: true, includeClaimKeys: [] }, assumed: [] };
const DEPLOY = 'arn:aws:iam::111111111111:role/deploy';
const sources: SarifSources = { uri: (file) => (file.startsWith('aws:') ? undefined : file), text: (file) => readFileSync(path.join(REPO, file), 'utf8') };

async function result(policy: Partial<FoundPolicy> & { file: string }): Promise<CheckResult> {
  const workflows = await readWorkflows(
    ['ci.yml', 'deploy.yml'].map((name) => ({ path: `.github/workflows/${name}`, text: readFileSync(path.join(REPO, '.github', 'workflows', name), 'utf8') })),
  );
  const found: FoundPolicy = { where: policy.file, roleArn: DEPLOY, document: toPolicyDocument(readFileSync(path.join(REPO, 'infra', 'deploy-trust.json'), 'utf8')), assumed: [], ...policy };
  const judgement = judge(workflows.jobs, [found], repository);
  return { judgement, fixes: fixesFor(judgement, repository), errors: [], assumed: [] };
}

describe('toSarif', () => {
  test("a refused run is on its job, with the policy as a related location and the fix in its message", async () => {
    const log = toSarif(await result({ file: 'infra/deploy-trust.json', line: 1 }), sources);
    const [found] = log.runs[0]!.results;
    expect(log.runs[0]!.results).toHaveLength(1);
    expect(found).toMatchObject({
      ruleId: 'refused-run',
      ruleIndex: 0,
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: '.github/workflows/deploy.yml', uriBaseId: '%SRCROOT%' }, region: { startLine: 11 } } }],
      relatedLocations: [{ id: 1, physicalLocation: { artifactLocation: { uri: 'infra/deploy-trust.json' }, region: { startLine: 1 } } }],
    });
    expect(found!.message.text).toMatch(/^deploy: push to main presents sub repo:acme\/webapp:ref:refs\/heads\/main, which the trust policy of .* refuses: .* Proposed change: give the GitHub statement of infra\/deploy-trust\.json the Condition \{.*"repo:acme\/webapp:ref:refs\/heads\/main".*\}/);
    expect(RULES[found!.ruleIndex]!.id).toBe(found!.ruleId);
  });

  test('the fingerprint is the finding, not where it is: a new line number keeps it, another policy changes it', async () => {
    const one = toSarif(await result({ file: 'infra/deploy-trust.json', line: 1 }), sources).runs[0]!.results[0]!;
    const moved = toSarif(await result({ file: 'infra/deploy-trust.json', line: 7 }), sources).runs[0]!.results[0]!;
    const other = toSarif(await result({ file: 'infra/deploy-trust.json', where: 'infra/deploy-trust.json#other', line: 1 }), sources).runs[0]!.results[0]!;
    expect(moved.relatedLocations![0]!.physicalLocation.region.startLine).toBe(7);
    expect(moved.partialFingerprints).toEqual(one.partialFingerprints);
    expect(Object.values(other.partialFingerprints)).not.toEqual(Object.values(one.partialFingerprints));
  });

  test('a policy read from AWS has no file here: its finding stays on the job, with no related location', async () => {
    const log = toSarif(await result({ file: `aws:${DEPLOY}`, where: `aws:${DEPLOY}` }), sources);
    expect(log.runs[0]!.results.map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r.relatedLocations])).toEqual([['.github/workflows/deploy.yml', undefined]]);
  });

  test('a condition on a key STS never offers, when the judgement names one, is on the line of that key', async () => {
    const checked = await result({ file: 'infra/deploy-trust.json', line: 1 });
    const policy = checked.judgement.runs[0]!.policy;
    // The judgement decides which keys STS never offers; the renderer only places and words what it is given.
    const key = 'token.actions.githubusercontent.com:sub';
    const unoffered: Unoffered = { policy, statement: 0, effect: 'Allow', operator: 'StringLike', key, holds: 'never' };
    const log = toSarif({ ...checked, judgement: { ...checked.judgement, unoffered: [unoffered] } }, sources);
    const found = log.runs[0]!.results.find((r) => r.ruleId === 'key-never-offered')!;
    const line = readFileSync(path.join(REPO, 'infra', 'deploy-trust.json'), 'utf8').split('\n').findIndex((l) => l.includes(`"${key}"`)) + 1;
    expect(line).toBeGreaterThan(1);
    expect(found.locations[0]!.physicalLocation.region.startLine).toBe(line);
    expect(found.message.text).toContain(`statement 1 (Allow) tests ${key} with StringLike, a key STS never sets for a GitHub token: the condition never holds, so the statement admits no token`);
  });
});
