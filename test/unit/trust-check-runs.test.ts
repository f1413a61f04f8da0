// Reading workflows as GitHub parses them, and each way a job will run: triggers, filters, environments.
import { admits, representative, toLike } from '../../src/check/filters.ts';
import type { Repository } from '../../src/check/repository.ts';
import { predictRuns, runsOf } from '../../src/check/runs.ts';
import { readWorkflows } from '../../src/check/workflows.ts';

const repository: Repository = { owner: 'acme', repo: 'webapp', defaultBranch: 'trunk', shape: { useDefault: true, includeClaimKeys: [] }, assumed: [] };

const job = (on: string, extra = '') => `on:
${on}
jobs:
  deploy:
    runs-on: ubuntu-latest
${extra}    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
`;

async function runs(on: string, extra = '') {
  const read = await readWorkflows([{ path: '.github/workflows/w.yml', text: job(on, extra) }]);
  expect(read.errors).toEqual([]);
  return read.jobs.flatMap((j) => runsOf(j, repository));
}
const refs = async (on: string, extra = '') => (await runs(on, extra)).map((r) => `${r.event} ${r.run.ref}${r.run.baseRef ? ` base=${r.run.baseRef}` : ''}`);

describe('triggers and their refs', () => {
  test('push to literal branches and a pattern, named as a representative', async () => {
    const predicted = await runs("  push:\n    branches: [main, 'release/**', '!release/old']");
    expect(predicted.map((r) => r.run.ref)).toEqual(['refs/heads/main', 'refs/heads/release/x']);
    expect(predicted[1]!.trigger).toBe("push to a branch matching 'release/**' (release/x stands for them)");
    expect(predicted[1]!.pattern.ref).toBe('refs/heads/release/*');
  });

  test('push with only tags runs on no branch; with only branches on no tag', async () => {
    expect(await refs("  push:\n    tags: ['v*.*.*']")).toEqual(['push refs/tags/v1.1.1']);
    expect(await refs('  push:\n    branches: [main]')).toEqual(['push refs/heads/main']);
  });

  test('push with no filter runs on the default branch, any other branch and any tag', async () => {
    expect(await refs('  push:')).toEqual(['push refs/heads/trunk', 'push refs/heads/feature', 'push refs/tags/v1.0.0']);
    expect(await refs('  push')).toEqual(['push refs/heads/trunk', 'push refs/heads/feature', 'push refs/tags/v1.0.0']);
  });

  test('branches-ignore leaves out what it names', async () => {
    expect(await refs("  push:\n    branches-ignore: ['feat*']")).toEqual(['push refs/heads/trunk']);
  });

  test('pull_request presents its merge ref, pull_request_target the base branch', async () => {
    expect(await refs('  pull_request:\n    branches: [main]\n  pull_request_target:')).toEqual(['pull_request refs/pull/1/merge base=main', 'pull_request_target refs/heads/trunk base=trunk']);
  });

  test('workflow_dispatch and schedule run on the default branch, saying what is assumed', async () => {
    const predicted = await runs("  workflow_dispatch:\n  schedule:\n    - cron: '0 1 * * *'");
    expect(predicted.map((r) => `${r.event} ${r.run.ref}`)).toEqual(['workflow_dispatch refs/heads/trunk', 'schedule refs/heads/trunk']);
    expect(predicted[0]!.assumed.join()).toMatch(/any branch or tag/);
  });

  test('release presents its tag; merge_group the queue branch of its base, said as assumed', async () => {
    const predicted = await runs('  release:\n    types: [published]\n  merge_group:');
    expect(predicted.map((r) => r.run.ref)).toEqual(['refs/tags/v1.0.0', `refs/heads/gh-readonly-queue/trunk/pr-1-${'0'.repeat(40)}`]);
    expect(predicted[1]!.assumed.join()).toMatch(/merge_group/);
  });

  test("an environment given as an expression of the run's own facts is evaluated for each run", async () => {
    const predicted = await runs("  push:\n    branches: [main, dev]", "    environment: ${{ github.ref == 'refs/heads/main' && 'prod' || format('test-{0}', github.ref_name) }}\n");
    expect(predicted.map((r) => r.run.environment)).toEqual(['prod', 'test-dev']);
    expect(predicted.flatMap((r) => r.assumed)).toEqual([]);
  });

  test.each(["${{ vars.TARGET }}", "${{ github.event.inputs.target }}", "${{ github.actor == 'me' && 'a' || 'b' }}"])('an environment only the run knows (%s) is said, and the run predicted without it', async (expression) => {
    const predicted = await runs('  push:\n    branches: [main]', `    environment: ${expression}\n`);
    expect(predicted[0]!.run.environment).toBeUndefined();
    expect(predicted[0]!.assumed.join()).toMatch(/expression only the run resolves/);
  });

  test('an environment as a string or an object with a name', async () => {
    expect((await runs('  push:\n    branches: [main]', '    environment: prod\n'))[0]!.run.environment).toBe('prod');
    expect((await runs('  push:\n    branches: [main]', '    environment:\n      name: prod\n      url: https://x\n'))[0]!.run.environment).toBe('prod');
  });
});

describe("a job's if:", () => {
  test('a run for which the if: is false never happens: deploy only on main, in a workflow that also runs for pull requests', async () => {
    expect(await refs('  push:\n    branches: [main, dev]\n  pull_request:', "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n")).toEqual(['push refs/heads/main']);
    expect(await refs('  push:\n    branches: [main]\n  pull_request:', "    if: ${{ success() && github.event_name != 'pull_request' }}\n")).toEqual(['push refs/heads/main']);
  });

  test('an if: only the run can decide keeps the run, and says so', async () => {
    const predicted = await runs('  push:\n    branches: [main]', "    if: vars.DEPLOY == 'yes'\n");
    expect(predicted).toHaveLength(1);
    expect(predicted[0]!.assumed).toEqual(["if: vars.DEPLOY == 'yes' is known only to the run: predicted as if it holds"]);
  });

  test("a reusable workflow's job runs only when its caller's if: holds too", async () => {
    const called = `on: workflow_call\njobs:\n  apply:\n    if: github.ref_type == 'tag'\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::1:role/y\n`;
    const read = await readWorkflows([
      { path: '.github/workflows/a.yml', text: "on:\n  push:\n  pull_request:\njobs:\n  go:\n    if: github.event_name == 'push'\n    uses: ./.github/workflows/called.yml\n" },
      { path: '.github/workflows/called.yml', text: called },
    ]);
    expect(read.jobs.flatMap((j) => runsOf(j, repository)).map((r) => `${r.event} ${r.run.ref}`)).toEqual(['push refs/tags/v1.0.0']);
  });
});

describe('reading workflows', () => {
  test('invalid YAML and a file that is not a workflow each give one error naming file and line; the others are still read', async () => {
    const read = await readWorkflows([
      { path: 'a.yml', text: 'on: push\njobs:\n  x: [\n' },
      { path: 'b.yml', text: 'name: x\nversion: 2\n' },
      { path: 'c.yml', text: job('  push:\n    branches: [main]') },
    ]);
    expect(read.errors).toEqual([
      { file: 'a.yml', line: 4, message: expect.stringMatching(/Flow sequence/) },
      { file: 'b.yml', line: 2, message: "Unexpected value 'version'" },
    ]);
    expect(read.jobs.map((j) => j.workflow)).toEqual(['c.yml']);
  });

  test('an empty workflow file says it is empty (field: seunayolu/terraform-github-oidc-drift-demo)', async () => {
    const read = await readWorkflows([{ path: '.github/workflows/drift-check.yml', text: '' }]);
    expect(read.errors).toEqual([{ file: '.github/workflows/drift-check.yml', line: 1, message: 'is empty: expected a workflow with on: and jobs:' }]);
  });

  test('only steps of this action or configure-aws-credentials count, with their inputs', async () => {
    const text = `on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - uses: someone/oidc-aws-credentials@v2
        with:
          profiles: |
            prod: arn:aws:iam::111111111111:role/prod
          audience: custom
          aws-profile: main
          role-to-assume: \${{ vars.ROLE }}
  b:
    runs-on: x
    steps:
      - run: echo
  c:
    runs-on: x
    steps:
      - uses: ./
        with:
          role-to-assume: arn:aws:iam::111111111111:role/c
          aws-access-key-id: \${{ secrets.KEY }}
`;
    const read = await readWorkflows([{ path: 'w.yml', text }]);
    expect(read.jobs.map((j) => j.job)).toEqual(['a', 'c']);
    expect(read.jobs[0]!.steps).toEqual([
      { uses: 'someone/oidc-aws-credentials@v2', line: 7, roleToAssume: '${{ vars.ROLE }}', profiles: 'prod: arn:aws:iam::111111111111:role/prod', audience: 'custom', awsProfile: 'main', notOidc: undefined },
    ]);
    expect(read.jobs[1]!.steps[0]!.notOidc).toBe('aws-access-key-id');
  });

  test('a reusable workflow in another repository, or called by nothing read, is said and not guessed', async () => {
    const caller = 'on: push\njobs:\n  x:\n    uses: other/repo/.github/workflows/deploy.yml@v1\n';
    const called = `on: workflow_call\njobs:\n  y:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/y\n`;
    const read = await readWorkflows([
      { path: '.github/workflows/a.yml', text: caller },
      { path: '.github/workflows/b.yml', text: called },
    ]);
    expect(read.jobs).toEqual([]);
    expect(read.assumed).toEqual([expect.stringMatching(/calls other\/repo\/.* in another repository/), expect.stringMatching(/b\.yml runs only on workflow_call/)]);
  });

  test('a reusable workflow called twice is a job of each caller, with the caller triggers', async () => {
    const called = `on: workflow_call\njobs:\n  apply:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/y\n`;
    const read = await readWorkflows([
      { path: '.github/workflows/push.yml', text: 'on:\n  push:\n    branches: [main]\njobs:\n  go:\n    uses: ./.github/workflows/called.yml\n' },
      { path: '.github/workflows/pr.yml', text: 'on: pull_request\njobs:\n  check:\n    uses: ./.github/workflows/called.yml\n' },
      { path: '.github/workflows/called.yml', text: called },
    ]);
    expect(read.jobs.map((j) => `${j.workflow} ${j.job} ${Object.keys(j.events).join()} ${j.called.map((c) => c.job).join()}`)).toEqual([
      '.github/workflows/push.yml go push apply',
      '.github/workflows/pr.yml check pull_request apply',
    ]);
  });
});

describe('local composite actions (field: tqer39/terraform-aws)', () => {
  const workflow = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - if: github.ref == 'refs/heads/main'
        uses: ./.github/actions/creds
        with:
          role: arn:aws:iam::111111111111:role/deploy
      - uses: ./.github/actions/node-only
`;
  const actions: Record<string, string> = {
    '.github/actions/creds': `inputs:
  role: { required: true }
  audience: { default: sts.amazonaws.com }
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: \${{ inputs.role }}
        audience: \${{ inputs.audience }}
    - uses: ./.github/actions/inner
      with:
        role: arn:aws:iam::111111111111:role/\${{ inputs.role-name || 'other' }}
`,
    '.github/actions/inner': `inputs:
  role: {}
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: \${{ inputs.role }}
        aws-access-key-id: AKIAEXAMPLE
`,
    '.github/actions/node-only': "runs:\n  using: node20\n  main: index.js\n",
  };

  test("a step that uses one is read as its credential steps, with the caller's inputs and its own defaults", async () => {
    const read = await readWorkflows([{ path: '.github/workflows/w.yml', text: workflow }], (folder) => actions[folder]);
    expect(read.errors).toEqual([]);
    expect(read.jobs[0]!.steps).toEqual([
      { uses: './.github/actions/creds > aws-actions/configure-aws-credentials@v4', line: 6, roleToAssume: 'arn:aws:iam::111111111111:role/deploy', audience: 'sts.amazonaws.com', if: "github.ref == 'refs/heads/main'" },
      {
        uses: './.github/actions/creds > ./.github/actions/inner > aws-actions/configure-aws-credentials@v4',
        line: 6,
        roleToAssume: "arn:aws:iam::111111111111:role/${{ inputs.role-name || 'other' }}",
        notOidc: 'aws-access-key-id',
        if: "github.ref == 'refs/heads/main'",
      },
    ]);
  });

  test('without a way to read actions, or for a folder with none, nothing is guessed', async () => {
    expect((await readWorkflows([{ path: '.github/workflows/w.yml', text: workflow }])).jobs).toEqual([]);
    expect((await readWorkflows([{ path: '.github/workflows/w.yml', text: workflow }], () => undefined)).jobs).toEqual([]);
  });
});

describe('events whose ref is not the default branch (field: aws-actions/configure-aws-credentials, automerge-approved-prs.yml)', () => {
  test('pull_request_review and pull_request_review_comment run on the merge ref, their subject form said', async () => {
    const predicted = await runs('  pull_request_review:\n    types: [submitted]\n  pull_request_review_comment:');
    expect(predicted.map((r) => `${r.event} ${r.run.ref} base=${r.run.baseRef}`)).toEqual(['pull_request_review refs/pull/1/merge base=trunk', 'pull_request_review_comment refs/pull/1/merge base=trunk']);
    expect(predicted[0]!.pattern.ref).toBe('refs/pull/*/merge');
    expect(predicted[0]!.assumed.join()).toMatch(/pull_request subject only for pull_request/);
  });

  test('create runs on the branch or tag it creates', async () => {
    expect(await refs('  create:')).toEqual(['create refs/heads/feature', 'create refs/tags/v1.0.0']);
  });
});

describe('filter patterns', () => {
  test.each([
    ['release/**', 'release/a/b', true],
    ['release/*', 'release/a/b', false],
    ['v[12].*', 'v2.x', true],
    ['v[12].*', 'v3.x', false],
    ['mai?n', 'man', true],
    ['ma+in', 'maaain', true],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(admits([pattern], name)).toBe(expected);
  });
  test('the last matching pattern decides', () => {
    expect(admits(['**', '!old/*'], 'old/x')).toBe(false);
    expect(admits(['**', '!old/*', 'old/keep'], 'old/keep')).toBe(true);
  });
  test('representatives are admitted by their pattern; the IAM form is never narrower', () => {
    for (const pattern of ['release/**', 'v[0-9]+.*', 'feat?ure-*']) {
      expect(admits([pattern], representative(pattern, 'x'))).toBe(true);
    }
    expect(toLike('v[0-9]+.*')).toBe('v*.*');
    expect(toLike('release/**')).toBe('release/*');
  });
});

test("a reusable workflow's inputs: the caller's with:, else the default, give role-to-assume and environment", async () => {
  const called = `on:
  workflow_call:
    inputs:
      stage:
        type: string
        default: staging
      role:
        type: string
jobs:
  apply:
    runs-on: x
    environment: \${{ inputs.stage }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ inputs.role }}
`;
  const read = await readWorkflows([
    { path: '.github/workflows/prod.yml', text: 'on: push\njobs:\n  go:\n    uses: ./.github/workflows/called.yml\n    with:\n      stage: production\n      role: arn:aws:iam::1:role/prod\n' },
    { path: '.github/workflows/stage.yml', text: 'on: push\njobs:\n  go:\n    uses: ./.github/workflows/called.yml\n    with:\n      role: ${{ vars.STAGING_ROLE }}\n' },
    { path: '.github/workflows/called.yml', text: called },
  ]);
  expect(read.jobs.map((j) => [j.environment, j.steps[0]!.roleToAssume])).toEqual([
    [{ name: 'production' }, 'arn:aws:iam::1:role/prod'],
    [{ name: 'staging' }, '${{ vars.STAGING_ROLE }}'],
  ]);
});

test("a matrix that decides the token: one job per combination of the keys its environment and role name", async () => {
  const text = `on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: x
    strategy:
      matrix:
        stage: [staging, production]
        node: [20, 22]
        region: \${{ fromJSON(vars.REGIONS) }}
    environment: \${{ matrix.stage }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/\${{ matrix.stage }}
          aws-region: \${{ matrix.region }}
`;
  const read = await readWorkflows([{ path: '.github/workflows/w.yml', text }]);
  expect(read.jobs.map((j) => [j.job, j.environment])).toEqual([
    ['deploy (staging)', { name: 'staging' }],
    ['deploy (production)', { name: 'production' }],
  ]);
  expect(read.jobs.map((j) => j.steps[0]!.roleToAssume)).toEqual(['arn:aws:iam::111111111111:role/staging', 'arn:aws:iam::111111111111:role/production']);
});

test("a workflow_dispatch's choice decides the environment: one run per option; a default stands when there are none", async () => {
  const on = `  workflow_dispatch:
    inputs:
      target:
        type: choice
        options: [staging, production]
      dry-run:
        type: boolean
        default: false`;
  const predicted = await runs(on, '    environment: ${{ inputs.target }}\n');
  expect(predicted.map((r) => [r.trigger, r.run.environment])).toEqual([
    ['workflow_dispatch with target=staging on the default branch', 'staging'],
    ['workflow_dispatch with target=production on the default branch', 'production'],
  ]);
  const withDefault = await runs("  workflow_dispatch:\n    inputs:\n      target:\n        type: string\n        default: qa\n  push:\n    branches: [main]", "    environment: ${{ inputs.target || 'prod' }}\n");
  expect(withDefault.map((r) => [r.trigger, r.run.environment])).toEqual([
    ['workflow_dispatch with target="qa" on the default branch', 'qa'],
    // Any other text may be typed in: only the run knows that environment, said.
    ['workflow_dispatch with target=(any other value) on the default branch', undefined],
    // A push has no inputs: the expression's fallback.
    ['push to main', 'prod'],
  ]);
  expect(withDefault[1]!.assumed.join()).toMatch(/expression only the run resolves/);
});

test("a reusable workflow's if: reads its inputs typed: the caller's boolean, passed through, and a default false", async () => {
  const called = `on:
  workflow_call:
    inputs:
      apply:
        type: boolean
        required: true
      skip:
        type: boolean
jobs:
  apply:
    if: \${{ inputs.apply && !inputs.skip }}
    runs-on: x
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::1:role/y
`;
  const caller = `on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      apply:
        type: boolean
        default: false
jobs:
  go:
    uses: ./.github/workflows/called.yml
    with:
      apply: \${{ github.event_name == 'push' || inputs.apply }}
`;
  const read = await readWorkflows([
    { path: '.github/workflows/caller.yml', text: caller },
    { path: '.github/workflows/called.yml', text: called },
  ]);
  const { runs: kept, excluded } = predictRuns(read.jobs[0]!, repository);
  expect(kept.map((r) => r.trigger)).toEqual(['push to main', 'workflow_dispatch with apply=true on the default branch']);
  expect(excluded.map((e) => `${e.trigger}: ${e.condition}`)).toEqual(['workflow_dispatch with apply=false on the default branch: ${{ inputs.apply && !inputs.skip }}']);
  expect(kept.flatMap((r) => r.assumed).filter((a) => a.startsWith('if:'))).toEqual([]);
});

test("include and exclude expand as in GitHub's documentation's example (an exclude added): include extends the combinations it fits, else adds its own", async () => {
  const text = `on: push
jobs:
  deploy:
    runs-on: x
    strategy:
      matrix:
        fruit: [apple, pear]
        animal: [cat, dog]
        exclude:
          - fruit: pear
            animal: dog
        include:
          - color: green
          - color: pink
            animal: cat
          - fruit: apple
            shape: circle
          - fruit: banana
          - fruit: banana
            animal: cat
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/\${{ matrix.fruit }}-\${{ matrix.animal }}-\${{ matrix.color }}-\${{ matrix.shape }}
`;
  const read = await readWorkflows([{ path: '.github/workflows/w.yml', text }]);
  expect(read.jobs.map((j) => j.steps[0]!.roleToAssume!.replace('arn:aws:iam::111111111111:role/', ''))).toEqual([
    'apple-cat-pink-circle',
    'apple-dog-green-circle',
    'pear-cat-pink-${{ matrix.shape }}',
    'banana-${{ matrix.animal }}-${{ matrix.color }}-${{ matrix.shape }}',
    'banana-cat-${{ matrix.color }}-${{ matrix.shape }}',
  ]);
});

test('a matrix given as an expression, or an include only the run expands, is said, not guessed', async () => {
  const text = (matrix: string) => `on: push
jobs:
  deploy:
    runs-on: x
    strategy:
      matrix: ${matrix}
    environment: \${{ matrix.env }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
`;
  const whole = await readWorkflows([{ path: '.github/workflows/w.yml', text: text('${{ fromJSON(vars.MATRIX) }}') }]);
  expect(whole.jobs.map((j) => j.environment)).toEqual([{ expression: '${{ matrix.env }}' }]);
  expect(whole.assumed).toEqual([expect.stringMatching(/job deploy: its matrix .*fromJSON\(vars\.MATRIX\).* only the run expands/)]);
  const include = await readWorkflows([{ path: '.github/workflows/w.yml', text: text('\n        include: ${{ fromJSON(vars.TARGETS) }}') }]);
  expect(include.jobs).toHaveLength(1);
  expect(include.assumed).toEqual([expect.stringMatching(/matrix include .*fromJSON\(vars\.TARGETS\).* only the run expands/)]);
});

test('calls of reusable workflows are bounded: a matrix at each level of a deep chain stops at a count, said', async () => {
  const level = (n: number) => `on: workflow_call
jobs:
  j:
    strategy:
      matrix:
        x: [${Array.from({ length: 8 }, (_, i) => `a${i}`).join(', ')}]
    uses: ./.github/workflows/w${n + 1}.yml
    with:
      x: \${{ matrix.x }}
`;
  const files = Array.from({ length: 6 }, (_, n) => ({ path: `.github/workflows/w${n}.yml`, text: n === 0 ? level(0).replace('on: workflow_call', 'on: push') : level(n) }));
  files.push({ path: '.github/workflows/w6.yml', text: `on: workflow_call\njobs:\n  k:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::1:role/y\n` });
  const read = await readWorkflows(files);
  // 8^6 combinations in full; the count of calls followed stops the walk.
  expect(read.jobs.length).toBeLessThanOrEqual(500);
  expect(read.jobs.length).toBeGreaterThan(0);
  expect(read.assumed.join('\n')).toMatch(/more than 500 calls of reusable workflows in all: the rest are not checked/);
});

test("a reusable workflow's number input keeps its default (the parser's model drops it), and an input left out is GitHub's empty value", async () => {
  const called = `on:
  workflow_call:
    inputs:
      tier:
        type: number
        default: 3
      suffix:
        type: string
jobs:
  apply:
    runs-on: x
    environment: tier-\${{ inputs.tier }}\${{ inputs.suffix }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::1:role/y
`;
  const read = await readWorkflows([
    { path: '.github/workflows/caller.yml', text: 'on: push\njobs:\n  go:\n    uses: ./.github/workflows/called.yml\n' },
    { path: '.github/workflows/called.yml', text: called },
  ]);
  expect(read.jobs.map((j) => j.environment)).toEqual([{ name: 'tier-3' }]);
});
