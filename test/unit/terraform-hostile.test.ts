// Issue 21: Terraform written to fool a hand-written evaluator. Each module below sets the `sub` its role
// trusts to "*" the way Terraform computes it, behind something the replaced evaluator computed otherwise
// (it then found a narrow subject and no stranger). Through HashiCorp's evaluator, the stranger is found,
// or the verdict is undetermined, or the module is refused: never a clean pass.
import { describe, expect, it } from '@jest/globals';
import { judge } from '../../src/check/judge.ts';
import type { Repository } from '../../src/check/repository.ts';
import { readWorkflows } from '../../src/check/workflows.ts';
import { readPolicies, type PolicyFiles } from '../../src/policies/read.ts';

function memory(tree: Record<string, string>): PolicyFiles {
  const dirs = new Set(Object.keys(tree).flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  return {
    read: (f) => {
      const text = tree[f];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${f}'`);
      return text;
    },
    list: (d) => [...new Set(Object.keys(tree).filter((f) => f.startsWith(`${d}/`)).map((f) => f.slice(d.length + 1).split('/')[0] ?? ''))],
    isDirectory: (p) => dirs.has(p),
  };
}

const GITHUB = 'token.actions.githubusercontent.com';
const repository: Repository = { owner: 'acme', repo: 'web', defaultBranch: 'main', shape: { useDefault: true, includeClaimKeys: [] }, assumed: [] };
const WORKFLOW = `name: Deploy
on:
  push:
    branches: [main]
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/oidc-aws-credentials@v1
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
          aws-region: us-east-1
`;

/** A role named deploy whose trust policy admits the subjects `subjects` (a Terraform expression) evaluates to. */
const role = (subjects: string, extra = '') => `
${extra}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111111111111:oidc-provider/${GITHUB}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GITHUB}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${GITHUB}:sub"
      values   = ${subjects}
    }
  }
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;

async function check(tree: Record<string, string>) {
  const read = await readPolicies(['infra'], memory(tree));
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text: WORKFLOW }]);
  const judgement = judge(workflows.jobs, read.policies, repository);
  const subjects = read.policies.map((p) => p.document.Statement.map((s) => s.Condition?.StringLike?.[`${GITHUB}:sub`]));
  return { read, judgement, subjects, strangers: judgement.strangers.map((s) => ({ sub: s.stranger.claims.sub, undetermined: s.unresolved !== undefined })) };
}

describe('functions Terraform computes otherwise than the replaced evaluator did', () => {
  it.each([
    // RE2's \z is the end of the text; JavaScript read it as the letter z, matched nothing and kept the subject.
    ['replace with a regular expression RE2 reads as Terraform does', '[replace("repo:acme/web:ref:refs/heads/main", "/^.*\\\\z/", "*")]'],
    // `$${1}` is the text ${1}: in RE2's replacement the first group; JavaScript kept it as written.
    ['replace with ${1} in the replacement', '[replace("*:acme", "/^(\\\\*):acme$/", "$${1}")]'],
    // The rainbow flag is one grapheme cluster of four code points: the character after it is the "*".
    ['substr counts grapheme clusters', '[substr("\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}*", 1, 1)]'],
    // Go's upper("ß") is "ß" (one cluster); JavaScript's is "SS".
    ['Unicode case mapping as Go maps it', '[length(upper("ß")) == 1 ? "*" : "repo:acme/web:ref:refs/heads/main"]'],
  ])('%s: the subject is "*", and strangers get in', async (_, subjects) => {
    const { read, subjects: subs, strangers } = await check({ 'infra/main.tf': role(subjects) });
    expect(read.errors).toEqual([]);
    expect(subs).toEqual([['*']]);
    expect(strangers.length).toBeGreaterThan(0);
    expect(strangers.every((s) => !s.undetermined)).toBe(true);
  });
});

describe("Terraform's file rules", () => {
  it('an override file replaces the arguments it sets, after all other files: its "*" is judged', async () => {
    const { read, subjects, strangers } = await check({
      'infra/main.tf': role('["repo:acme/web:ref:refs/heads/main"]'),
      'infra/trust_override.tf': `
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111111111111:oidc-provider/${GITHUB}"]
    }
    condition {
      test     = "StringLike"
      variable = "${GITHUB}:sub"
      values   = ["*"]
    }
  }
}
`,
    });
    expect(read.errors).toEqual([]);
    expect(subjects).toEqual([['*']]);
    expect(strangers.length).toBeGreaterThan(0);
  });

  it('a .tf.json file is part of the module: its override of a local is judged', async () => {
    const { read, subjects } = await check({
      'infra/main.tf': role('local.subjects', 'locals {\n  subjects = ["repo:acme/web:ref:refs/heads/main"]\n}'),
      'infra/override.tf.json': JSON.stringify({ locals: { subjects: ['*'] } }),
    });
    expect(read.errors).toEqual([]);
    expect(subjects).toEqual([['*']]);
  });

  it('a name declared twice is refused, naming both places, and no policy of the module passes', async () => {
    const { read, subjects } = await check({
      'infra/a.tf': role('["repo:acme/web:ref:refs/heads/main"]'),
      'infra/b.tf': 'locals {\n  x = 1\n}\nresource "aws_iam_role" "deploy" {\n  name = "deploy"\n  assume_role_policy = "{}"\n}\n',
    });
    expect(read.errors).toEqual([{ file: 'infra/b.tf', line: 4, message: 'aws_iam_role.deploy is declared twice in one module: at infra/a.tf:22 and here; Terraform refuses the module' }]);
    expect(subjects).toEqual([]);
  });

  it('an override of a name no other file declares is refused', async () => {
    const { read } = await check({ 'infra/main.tf': role('["repo:acme/web:ref:refs/heads/main"]'), 'infra/override.tf': 'locals {\n  nothing = "*"\n}\n' });
    expect(read.errors).toEqual([{ file: 'infra/override.tf', line: 2, message: 'local.nothing is in an override file but declared in no other file of the module; Terraform refuses the module' }]);
  });
});

describe('blocks the module does not decide make the verdict undetermined', () => {
  it('a dynamic "statement" over a variable without a value: every stranger and run is undetermined, naming the variable', async () => {
    const { read, judgement, strangers } = await check({
      'infra/main.tf': `
variable "statements" {}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111111111111:oidc-provider/${GITHUB}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GITHUB}:sub"
      values   = ["repo:acme/web:ref:refs/heads/main"]
    }
  }
  dynamic "statement" {
    for_each = var.statements
    content {
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:aws:iam::111111111111:oidc-provider/${GITHUB}"]
      }
    }
  }
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`,
    });
    expect(read.errors).toEqual([]);
    expect(strangers.length).toBeGreaterThan(0);
    expect(strangers.every((s) => s.undetermined)).toBe(true);
    expect(judgement.strangers[0]?.verdict.why).toMatch(/^undetermined: depends on .*var\.statements.*give --var statements=VALUE/);
  });

  it('override_policy_documents are applied: a statement with the same Sid is replaced by the override\'s "*"', async () => {
    const { read, subjects } = await check({
      'infra/main.tf': `
data "aws_iam_policy_document" "open" {
  statement {
    sid     = "GitHub"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111111111111:oidc-provider/${GITHUB}"]
    }
    condition {
      test     = "StringLike"
      variable = "${GITHUB}:sub"
      values   = ["*"]
    }
  }
}
${role('["repo:acme/web:ref:refs/heads/main"]').replace('statement {', 'override_policy_documents = [data.aws_iam_policy_document.open.json]\n  statement {\n    sid = "GitHub"')}`,
    });
    expect(read.errors).toEqual([]);
    expect(subjects).toEqual([['*']]);
  });

  it('override_policy_documents the module does not decide: undetermined', async () => {
    const { read, strangers } = await check({
      'infra/main.tf': `variable "override" {}\n${role('["repo:acme/web:ref:refs/heads/main"]').replace('statement {', 'override_policy_documents = [var.override]\n  statement {')}`,
    });
    expect(read.errors).toEqual([]);
    expect(strangers.length).toBeGreaterThan(0);
    expect(strangers.every((s) => s.undetermined)).toBe(true);
  });

  it('a placeholder a function rewrote never passes for a known subject', async () => {
    // replace() would turn the placeholder text ${var.org} into "*" if it were a string: it is cty's unknown.
    const { read, subjects, strangers } = await check({ 'infra/main.tf': role('[replace("repo:${var.org}/web:*", "/\\\\$\\\\{[^}]*\\\\}/", "*")]', 'variable "org" {}') });
    expect(read.errors).toEqual([]);
    expect(subjects).toEqual([['${[replace("repo:${var.org}/web:*", "/\\\\$\\\\{[^}]*\\\\}/", "*")]}']]);
    expect(strangers.every((s) => s.undetermined)).toBe(true);
  });
});

describe('bounds', () => {
  it('count past the limit: one error naming the file and the limit, at once', async () => {
    const { read } = await check({ 'infra/main.tf': role('["*"]').replace('name               = "deploy"', 'count = 100000000\n  name = "deploy-${count.index}"') });
    expect(read.errors).toEqual([{ file: 'infra/main.tf', line: 23, message: 'aws_iam_role.deploy: count makes 100000000 instances, more than 1000, the limit: not read' }]);
    expect(read.policies).toEqual([]);
  });

  it('modules that call themselves: one error naming the depth limit', async () => {
    const { read } = await check({ 'infra/main.tf': 'module "again" {\n  source = "./"\n}\n' });
    expect(read.errors).toEqual([{ file: 'infra/main.tf', line: 1, message: 'module.again: modules call modules more than 8 deep, the limit: not read' }]);
  });

  it('modules that fan out: one error naming the instance limit', async () => {
    const tree: Record<string, string> = { 'infra/main.tf': 'module "a" {\n  source = "./m"\n  count = 20\n}\n' };
    tree['infra/m/main.tf'] = 'module "b" {\n  source = "./n"\n  count = 20\n}\n';
    tree['infra/m/n/main.tf'] = 'locals {\n  x = 1\n}\n';
    const { read } = await check(tree);
    expect(read.errors).toEqual([{ file: 'infra/m/main.tf', line: 1, message: 'module.b: the modules called make more than 200 module instances, the limit: not read' }]);
  });
});
