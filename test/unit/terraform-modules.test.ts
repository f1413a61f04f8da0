// Issue 22, Terraform judged as Terraform plans: path.root and path.module in a called module, a folder a
// root calls is not judged again as a root, a module no root calls is named and not judged, and
// data "template_file" renders as templatefile() does.
import { describe, expect, it } from '@jest/globals';
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
const trust = (sub: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${GITHUB}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${GITHUB}:sub`]: sub } } }] });
const subOf = (p: { document: { Statement: { Condition?: Record<string, Record<string, unknown>> }[] } }) => p.document.Statement[0]?.Condition?.StringEquals?.[`${GITHUB}:sub`];

/** A module making one role whose trust policy is the file `policy` names, with `repository` as its variable. */
const roleModule = (policy: string) => `
variable "repository" {
  type = string
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = templatefile(${policy}, { repository = var.repository })
}
`;

describe('paths in a called module', () => {
  it('path.module is the module\'s folder, path.root the root module\'s: each reads its own file', async () => {
    const files = memory({
      'infra/main.tf': 'module "role" {\n  source     = "./modules/role"\n  repository = "acme/web"\n}\n',
      'infra/trust.tpl': trust('repo:${repository}:ref:refs/heads/main'),
      'infra/modules/role/main.tf': `
variable "repository" {
  type = string
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = templatefile("\${path.root}/trust.tpl", { repository = var.repository })
}
resource "aws_iam_role" "own" {
  name               = "own"
  assume_role_policy = templatefile("\${path.module}/trust.tpl", { repository = var.repository })
}
`,
      'infra/modules/role/trust.tpl': trust('repo:${repository}:environment:prod'),
    });
    const { policies, errors } = await readPolicies(['infra'], files);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, subOf(p)])).toEqual([
      ['infra/main.tf#module.role.aws_iam_role.deploy', 'repo:acme/web:ref:refs/heads/main'],
      ['infra/main.tf#module.role.aws_iam_role.own', 'repo:acme/web:environment:prod'],
    ]);
  });
});

describe('roots', () => {
  const tree = {
    // Sorted before its caller: read on its own, its variable would have no value.
    'terraform/a-role/main.tf': roleModule('"${path.module}/trust.tpl"'),
    'terraform/a-role/trust.tpl': trust('repo:${repository}:ref:refs/heads/main'),
    'terraform/z-prod/main.tf': 'module "role" {\n  source     = "../a-role"\n  repository = "acme/web"\n}\n',
    'terraform/modules/unused/main.tf': roleModule('"${path.module}/trust.tpl"'),
    'terraform/modules/unused/trust.tpl': trust('repo:${repository}:*'),
  };

  it('a folder a root calls is judged only through the call, with its arguments; a module no root calls is named, not judged', async () => {
    const { policies, errors, assumed } = await readPolicies(['terraform'], memory(tree));
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, subOf(p)])).toEqual([['terraform/z-prod/main.tf#module.role.aws_iam_role.deploy', 'repo:acme/web:ref:refs/heads/main']]);
    expect(assumed).toContain('terraform/modules/unused: a module (in a modules/ folder) that no root module here calls: not judged on its own; give the folder by name to judge it as a root');
  });

  it('a module given by name is judged as a root', async () => {
    const { policies } = await readPolicies(['terraform/modules/unused'], memory(tree));
    expect(policies.map((p) => [p.where, subOf(p)])).toEqual([['terraform/modules/unused/main.tf#aws_iam_role.deploy', 'repo:${var.repository}:*']]);
  });
});

describe('data "template_file"', () => {
  it('renders its template with its vars, as templatefile() does', async () => {
    const files = memory({
      'infra/main.tf': `
data "template_file" "trust" {
  template = file("\${path.module}/trust.tpl")
  vars = {
    repository = "acme/web"
  }
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.template_file.trust.rendered
}
`,
      'infra/trust.tpl': trust('repo:${repository}:ref:refs/heads/main'),
    });
    const { policies, errors } = await readPolicies(['infra'], files);
    expect(errors).toEqual([]);
    expect(policies.map(subOf)).toEqual(['repo:acme/web:ref:refs/heads/main']);
  });

  it('with vars the module does not decide, the policy shows what is unknown', async () => {
    const files = memory({
      'infra/main.tf': `
variable "repository" {}
data "template_file" "trust" {
  template = file("trust.tpl")
  vars     = { repository = var.repository }
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.template_file.trust.rendered
}
`,
      'infra/trust.tpl': trust('repo:${repository}:ref:refs/heads/main'),
    });
    const { policies, errors } = await readPolicies(['infra'], files);
    expect(errors).toEqual([]);
    expect(policies.map(subOf)).toEqual(['repo:${var.repository}:ref:refs/heads/main']);
  });
});
