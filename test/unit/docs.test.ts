// action.yml, the config parser and the documentation must describe the same inputs and outputs: the
// action's reference is docs/action.md, the trust check's docs/trust-check.md, the README the guide to both.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EXCLUSIONS, INPUT_NAMES, parseConfig } from '../../src/config.ts';
import { ALLOWED_KEYS } from '../../src/profiles-file.ts';

const actionYml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const actionDoc = readFileSync(new URL('../../docs/action.md', import.meta.url), 'utf8');
const trustCheckDoc = readFileSync(new URL('../../docs/trust-check.md', import.meta.url), 'utf8');

function section(name: 'inputs' | 'outputs'): string[] {
  const body = actionYml.split(new RegExp(`^${name}:\\n`, 'm'))[1]?.split(/^\S/m)[0] ?? '';
  return [...body.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1] ?? '');
}

function referenceTable(heading: string): string[] {
  const body = actionDoc.split(`## ${heading}\n`)[1]?.split(/^## /m)[0] ?? '';
  return [...body.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1] ?? '');
}

// The inputs of aws-actions/configure-aws-credentials v6.2.3's action.yml, as data: a workflow written for
// it must keep working here, so each must be declared and compared in the migration table.
const INCUMBENT_V6_INPUTS = [
  'aws-region',
  'aws-profile',
  'overwrite-aws-profile',
  'role-to-assume',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'http-proxy',
  'no-proxy',
  'mask-aws-account-id',
  'role-duration-seconds',
  'role-external-id',
  'role-session-name',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'inline-session-policy',
  'managed-session-policies',
  'output-credentials',
  'output-env-credentials',
  'unset-current-credentials',
  'disable-retry',
  'retry-max-attempts',
  'special-characters-workaround',
  'use-existing-credentials',
  'allowed-account-ids',
  'force-skip-oidc',
  'action-timeout-s',
  'custom-tags',
  'sts-endpoint',
];
const INCUMBENT_V6_OUTPUTS = ['aws-account-id', 'authenticated-arn', 'aws-access-key-id', 'aws-secret-access-key', 'aws-session-token', 'aws-expiration'];

describe('a drop-in for configure-aws-credentials v6', () => {
  it('holds the 32 inputs', () => {
    expect(new Set(INCUMBENT_V6_INPUTS).size).toBe(32);
  });

  it.each(INCUMBENT_V6_INPUTS)('declares %s in action.yml and compares it in the migration table (docs/action.md)', (name) => {
    expect(section('inputs')).toContain(name);
    expect(referenceTable('Coming from configure-aws-credentials')).toContain(name);
  });

  it('declares every output it sets', () => {
    expect(section('outputs').sort()).toEqual([...INCUMBENT_V6_OUTPUTS].sort());
  });

  it("the migration table has one row per input, in the incumbent's order", () => {
    expect(referenceTable('Coming from configure-aws-credentials')).toEqual(INCUMBENT_V6_INPUTS);
  });
});

describe('documentation stays in step with action.yml', () => {
  it('declares exactly the inputs the parser reads', () => {
    expect(section('inputs').sort()).toEqual([...INPUT_NAMES].sort());
  });

  it('documents every input and output in the tables of docs/action.md, in action.yml order', () => {
    expect(referenceTable('Inputs')).toEqual(section('inputs'));
    expect(referenceTable('Outputs')).toEqual(section('outputs'));
  });

  it("lists exactly the inputs that exclude each other that the parser refuses, in its order", () => {
    const body = actionDoc.split('## Inputs that exclude each other\n')[1]?.split(/^## /m)[0] ?? '';
    const rows = [...body.matchAll(/^\| `([\w-]+)` \| `([\w-]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(EXCLUSIONS.map((rule) => [rule.input, rule.with]));
  });

  it('says exactly what is masked: not the credentials profiles refresh in later steps', () => {
    for (const doc of [readme, actionDoc]) expect(doc).not.toMatch(/masks every credential before anything can print it/);
    const section = (actionDoc.split('### What is masked, and when\n')[1]?.split(/^#/m)[0] ?? '').replace(/\s+/g, ' ');
    expect(section).toContain('Not masked: credentials a profile\'s helper obtains in a later step');
    expect(section).toContain('neither the action nor the helper ever prints them');
  });

  it('runs on node24 with a post step that runs after failures too, unless AWS_SKIP_CLEANUP_STEP is true', () => {
    expect(actionYml).toMatch(/using: 'node24'/);
    expect(actionYml).toMatch(/post-if: "always\(\) && env\.AWS_SKIP_CLEANUP_STEP != 'true'"/);
  });
});

describe("the profiles files of docs/action.md", () => {
  const section = actionDoc.split('### A config file in the repository\n')[1]?.split(/^#/m)[0] ?? '';
  const files = [...section.matchAll(/```ini\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const parse = (file: string) => parseConfig((name) => ({ 'aws-region': 'us-east-1', 'profiles-file': 'aws-config' })[name as string] ?? '', {}, () => file).config;

  it('are three: the seed-style file, several regions, a chain', () => {
    expect(files).toHaveLength(3);
  });

  it('the seed-style file works as written: two web identity profiles, each with its audience', () => {
    expect(parse(files[0] ?? '').profiles.map((p) => [p.name, p.region, p.audience, p.sessionName])).toEqual([
      ['default', 'us-east-2', 'sts.amazonaws.com', 'GitHubActions'],
      ['sigstore-audience', 'us-east-1', 'sigstore', 'other'],
    ]);
  });

  it('several regions: one web identity profile each, the sensitive one shorter', () => {
    expect(parse(files[1] ?? '').profiles.map((p) => [p.name, p.region, p.durationSeconds])).toEqual([
      ['eu', 'eu-west-1', 3600],
      ['us', 'us-east-1', 3600],
      ['break-glass', 'us-east-1', 900],
    ]);
  });

  it('lists exactly the keys the parser allows; any other is refused', () => {
    const listed = /The file may hold only these keys: ([^.]*)\./.exec(section.replace(/\n/g, ' '))?.[1] ?? '';
    expect([...listed.matchAll(/`([a-z_]+)`/g)].map((m) => m[1])).toEqual(ALLOWED_KEYS);
  });

  it('a chain: one web identity profile and one chained from it', () => {
    const config = parse(files[2] ?? '');
    expect(config.profiles.map((p) => p.name)).toEqual(['ci']);
    expect(config.profilesFile?.chained.map((c) => [c.name, c.sourceProfile])).toEqual([['prod', 'ci']]);
  });
});

describe("the README's trust-check workflow", () => {
  it('is trust-check/workflow.yml, the one the tests run on every fixture repository, to the byte', () => {
    const workflow = readFileSync(new URL('../../trust-check/workflow.yml', import.meta.url), 'utf8');
    // The pull-request workflow to copy; the scheduled all-roles workflow for security teams is another block.
    const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((b) => b?.includes('/trust-check@v1') && /^ {2}pull_request(_target)?:/m.test(b));
    expect(blocks).toEqual([workflow]);
  });

  it('docs/trust-check.md documents every output of trust-check/action.yml, in its order (its inputs: trust-check-repository.test.ts)', () => {
    const trustCheck = readFileSync(new URL('../../trust-check/action.yml', import.meta.url), 'utf8');
    const outputs = [...(trustCheck.split(/^outputs:\n/m)[1]?.split(/^\S/m)[0] ?? '').matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]);
    const body = trustCheckDoc.split("## The action's inputs and outputs\n")[1]?.split(/^## /m)[0] ?? '';
    const table = body.split('| Output | Meaning |\n')[1]?.split('\n\n')[0] ?? '';
    expect(outputs).toEqual(['runs', 'refused', 'strangers', 'undetermined', 'sarif']);
    expect([...table.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1])).toEqual(outputs);
  });
});

describe('the README is the guide, docs/ the reference', () => {
  const GUIDE = ['README.md', ...readdirSync(new URL('../../docs/', import.meta.url)).map((name) => `docs/${name}`)];
  const read = (file: URL) => readFileSync(file, 'utf8');
  // GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces as -.
  const anchors = (text: string) => [...text.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#+ (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));

  it.each(GUIDE)('every relative link of %s reaches a file that exists, and a heading in it', (file) => {
    const from = new URL(`../../${file}`, import.meta.url);
    const links = [...read(from).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '').filter((link) => !/^[a-z]+:/.test(link));
    expect(links).not.toEqual([]);
    const broken = links.filter((link) => {
      const [target, anchor] = link.split('#');
      const url = new URL(target || file.split('/').pop()!, from);
      if (!existsSync(url)) return true;
      return anchor !== undefined && !anchors(read(url)).includes(anchor);
    });
    expect(broken).toEqual([]);
  });

  it('the README links every file of docs/', () => {
    for (const file of GUIDE.slice(1)) expect(readme).toContain(`](${file})`);
  });
});
