// Smaller forms and bad input, from files held in memory (readers reach files only through PolicyFiles).
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

describe('Terraform policy documents', () => {
  it('dynamic condition blocks, principals "*", source_policy_documents; a document no role uses stands alone, one another uses does not', async () => {
    const files = memory({
      'infra/trust.tf': `
locals {
  subjects = { "StringLike" = ["repo:acme/web:*"], "StringEquals" = ["repo:acme/web:ref:refs/heads/main"] }
}
data "aws_iam_policy_document" "base" {
  statement {
    effect  = "Deny"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GITHUB}:event_name"
      values   = ["pull_request_target"]
    }
  }
}
data "aws_iam_policy_document" "github" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111111111111:oidc-provider/${GITHUB}"]
    }
    dynamic "condition" {
      for_each = local.subjects
      content {
        test     = condition.key
        variable = "${GITHUB}:sub"
        values   = condition.value
      }
    }
  }
}
`,
    });
    const { policies, errors } = await readPolicies(['infra'], files);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.line, p.roleName, p.document])).toEqual([
      [
        'infra/trust.tf#data.aws_iam_policy_document.github',
        20,
        undefined,
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Deny', Action: 'sts:AssumeRoleWithWebIdentity', Principal: '*', Condition: { StringEquals: { [`${GITHUB}:event_name`]: 'pull_request_target' } } },
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${GITHUB}` },
              Condition: { StringLike: { [`${GITHUB}:sub`]: 'repo:acme/web:*' }, StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/web:ref:refs/heads/main' } },
            },
          ],
        },
      ],
    ]);
  });

  it('the idioms of published modules: count on data sources ([0]), try/coalesce/coalescelist, typed optional attributes, a null name with name_prefix', async () => {
    const files = memory({
      'mod/main.tf': `
variable "create" {
  default = true
}
variable "name" {
  default = "deployer"
}
variable "use_name_prefix" {
  default = true
}
variable "audiences" {
  default = []
}
variable "subjects" {
  default = ["acme/web:ref:refs/heads/main"]
}
variable "extra_statements" {
  type = map(object({ sid = optional(string), actions = optional(list(string)), not_actions = optional(list(string)), principals = optional(list(object({ type = string, identifiers = list(string) }))) }))
  default = { ec2 = { principals = [{ type = "Service", identifiers = ["ec2.amazonaws.com"] }], actions = ["sts:AssumeRole"] } }
}
data "aws_partition" "current" {
  count = var.create ? 1 : 0
}
data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}
locals {
  partition  = try(data.aws_partition.current[0].partition, "")
  account_id = try(data.aws_caller_identity.current[0].account_id, "")
}
data "aws_iam_policy_document" "this" {
  count = var.create ? 1 : 0
  statement {
    sid     = "GithubOidcAuth"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:\${local.partition}:iam::\${local.account_id}:oidc-provider/${GITHUB}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GITHUB}:aud"
      values   = coalescelist(var.audiences, ["sts.amazonaws.com"])
    }
    condition {
      test     = "StringLike"
      variable = "${GITHUB}:sub"
      values   = [for s in var.subjects : startswith(s, "repo:") ? s : "repo:\${s}"]
    }
  }
  dynamic "statement" {
    for_each = var.extra_statements != null ? var.extra_statements : {}
    content {
      sid         = try(coalesce(statement.value.sid, statement.key))
      actions     = statement.value.actions
      not_actions = statement.value.not_actions
      dynamic "principals" {
        for_each = statement.value.principals != null ? statement.value.principals : []
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
    }
  }
}
resource "aws_iam_role" "this" {
  count              = var.create ? 1 : 0
  name               = var.use_name_prefix ? null : var.name
  name_prefix        = var.use_name_prefix ? "\${var.name}-" : null
  assume_role_policy = data.aws_iam_policy_document.this[0].json
}
`,
    });
    const { policies, errors } = await readPolicies(['mod'], files);
    expect(errors).toEqual([]);
    const account = '${data.aws_caller_identity.current[0].account_id}';
    expect(policies.map((p) => [p.where, p.roleName, p.document, p.accountPlaceholders])).toEqual([
      [
        'mod/main.tf#aws_iam_role.this[0]',
        undefined,
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'GithubOidcAuth',
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${GITHUB}` },
              Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/web:ref:refs/heads/main' } },
            },
            { Sid: 'ec2', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } },
          ],
        },
        [account],
      ],
    ]);
    expect(policies[0]?.assumed).toContain('the role has a name_prefix: Terraform completes its name');
  });

  it('a role per repository with for_each, each using its own instance of a document ([each.key]); a provider passed as a whole resource through an output', async () => {
    const files = memory({
      'root/main.tf': `
module "provider" {
  source = "./provider"
}
locals {
  repos = { web = "acme/web", api = "acme/api" }
}
data "aws_iam_policy_document" "trust" {
  for_each = local.repos
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [module.provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${GITHUB}:sub"
      values   = ["repo:\${each.value}:ref:refs/heads/main"]
    }
  }
}
resource "aws_iam_role" "deploy" {
  for_each           = local.repos
  name               = "deploy-\${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}
`,
      'root/provider/main.tf': `
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://${GITHUB}"
  client_id_list = ["sts.amazonaws.com"]
}
output "github" {
  value = aws_iam_openid_connect_provider.github
}
`,
    });
    const { policies, errors } = await readPolicies(['root'], files);
    expect(errors).toEqual([]);
    const account = '${data.aws_caller_identity.current.account_id}';
    expect(policies.map((p) => [p.where, p.roleName, p.document.Statement[0]?.Principal, p.document.Statement[0]?.Condition])).toEqual([
      // A map's instances in Terraform's order: its keys sorted.
      ['root/main.tf#aws_iam_role.deploy["api"]', 'deploy-api', { Federated: `arn:aws:iam::${account}:oidc-provider/${GITHUB}` }, { StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/api:ref:refs/heads/main' } }],
      ['root/main.tf#aws_iam_role.deploy["web"]', 'deploy-web', { Federated: `arn:aws:iam::${account}:oidc-provider/${GITHUB}` }, { StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/web:ref:refs/heads/main' } }],
    ]);
  });

  it('a for_each the module does not decide: the role is read once, and that is said', async () => {
    const files = memory({
      'infra/main.tf': `variable "repos" {}
resource "aws_iam_role" "deploy" {
  for_each           = toset(var.repos)
  name               = "deploy-\${each.key}"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/${GITHUB}" }, Condition = { StringLike = { "${GITHUB}:sub" = "repo:\${each.value}:*" } } }] })
}
`,
    });
    const { policies, errors } = await readPolicies(['infra'], files);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.roleName, p.document.Statement[0]?.Condition, p.assumed])).toEqual([
      [
        'infra/main.tf#aws_iam_role.deploy',
        undefined,
        { StringLike: { [`${GITHUB}:sub`]: 'repo:${each.value}:*' } },
        [
          'for_each = ${toset(var.repos)}, which the module does not decide: read once, with each.* and count.* left as written',
          'var.repos = (no value): left as ${var.repos}',
          'each.value depends on the instance, which the module does not decide: left as ${each.value}',
          'each.key depends on the instance, which the module does not decide: left as ${each.key}',
        ],
      ],
    ]);
  });

  it('a role whose policy is a variable without a value: an error naming it; what it could not resolve is never guessed', async () => {
    const files = memory({ 'infra/main.tf': 'variable "trust" {}\nresource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = var.trust\n}\n' });
    const { policies, errors } = await readPolicies(['infra/main.tf'], files);
    expect(policies).toEqual([]);
    expect(errors).toEqual([{ file: 'infra/main.tf', line: 2, message: 'aws_iam_role.x: assume_role_policy is ${var.trust}, which cannot be resolved here (var.trust = (no value): left as ${var.trust})' }]);
  });

  it('a policy the values make empty: the error says which values', async () => {
    const files = memory({ 'infra/main.tf': 'variable "subjects" {\n  default = []\n}\nresource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = length(var.subjects) > 0 ? jsonencode({ Statement = [] }) : ""\n}\n' });
    expect((await readPolicies(['infra'], files)).errors).toEqual([{ file: 'infra/main.tf', line: 4, message: 'aws_iam_role.x: assume_role_policy is empty, with var.subjects = [] (its default)' }]);
  });

  it('a module with no role and no policy document: the error says what was expected', async () => {
    const files = memory({ 'infra/s3.tf': 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n' });
    expect((await readPolicies(['infra', 'infra/s3.tf'], files)).errors).toEqual([
      { file: 'infra', message: 'holds no trust policy: expected an IAM trust policy (JSON), a CloudFormation/SAM/CDK template with an AWS::IAM::Role, Terraform (.tf) or a `terraform show -json` plan' },
      { file: 'infra/s3.tf', message: 'holds no aws_iam_role with an assume_role_policy and no aws_iam_policy_document with principals: expected a trust policy (a role in another file of the module is read when the folder is given)' },
    ]);
  });
});

describe('CloudFormation', () => {
  it('Fn::If on a condition the stack decides and Fn::ImportValue are named, not guessed; AWS::NoValue drops its key', async () => {
    const files = memory({
      'stack.yaml': `Conditions:
  IsProd: !Equals [!Ref "AWS::StackName", prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal: { Federated: !ImportValue GitHubOidcProviderArn }
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: !If [IsProd, "repo:acme/web:environment:prod", "repo:acme/web:*"]
            Sid: !Ref AWS::NoValue
`,
    });
    const { policies, errors } = await readPolicies(['stack.yaml'], files);
    expect(errors).toEqual([]);
    expect(policies[0]?.document).toEqual({
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: '${Fn::ImportValue}' }, Condition: { StringLike: { [`${GITHUB}:sub`]: '${Fn::If}' } } }],
    });
    expect(policies[0]?.assumed).toEqual([
      'Fn::ImportValue depends on the stack (imports, transforms): left as ${Fn::ImportValue}',
      'AWS::StackName depends on the stack: left as ${AWS::StackName}',
      'Fn::If depends on the condition IsProd, which the template does not decide: left as ${Fn::If}',
      'Role has no RoleName: CloudFormation names the role after the stack; matched by its logical id',
    ]);
  });

  it('conditions the parameters decide: Fn::If takes its branch, and a role whose condition is false is not created', async () => {
    const files = memory({
      'stack.yaml': `Parameters:
  UseExistingProvider: { Type: String, Default: "yes" }
  Stage: { Type: String, Default: prod }
Conditions:
  CreateProvider: !Equals [!Ref UseExistingProvider, "no"]
  IsProd: !And [!Equals [!Ref Stage, prod], !Not [!Condition CreateProvider]]
Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Condition: CreateProvider
    Properties: { Url: https://token.actions.githubusercontent.com }
  DevRole:
    Type: AWS::IAM::Role
    Condition: CreateProvider
    Properties:
      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Action: sts:AssumeRole, Principal: { AWS: "111111111111" } }] }
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !If [CreateProvider, !Ref Provider, !Sub "arn:aws:iam::\${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"]
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:sub: !If [IsProd, "repo:acme/web:environment:prod", "repo:acme/web:environment:dev"]
`,
    });
    const { policies, errors } = await readPolicies(['stack.yaml'], files);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.document.Statement[0]?.Principal, p.document.Statement[0]?.Condition])).toEqual([
      ['stack.yaml#Role', { Federated: `arn:aws:iam::\${AWS::AccountId}:oidc-provider/${GITHUB}` }, { StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/web:environment:prod' } }],
    ]);
    expect(policies[0]?.assumed).toEqual(expect.arrayContaining(['parameter UseExistingProvider = "yes" (its default)', 'condition CreateProvider = false', 'condition IsProd = true']));
  });

  it('YAML that does not parse is an error with its line; a template without a role says what was expected', async () => {
    const files = memory({
      'bad.yaml': 'Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: [unclosed\n',
      'bucket.json': '{ "AWSTemplateFormatVersion": "2010-09-09", "Resources": { "B": { "Type": "AWS::S3::Bucket" } } }',
    });
    const { errors } = await readPolicies(['bad.yaml', 'bucket.json'], files);
    expect(errors).toEqual([
      { file: 'bad.yaml', line: 5, message: expect.stringMatching(/^not valid YAML: /) },
      { file: 'bucket.json', message: 'is a template without an AWS::IAM::Role that has an AssumeRolePolicyDocument: expected a trust policy' },
    ]);
  });
});

describe('terraform show -json', () => {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${GITHUB}` }, Action: 'sts:AssumeRoleWithWebIdentity' }] });

  it('of a state: the role as it is, with its ARN', async () => {
    const state = { format_version: '1.0', terraform_version: '1.9.5', values: { root_module: { resources: [{ address: 'aws_iam_role.ci', mode: 'managed', type: 'aws_iam_role', name: 'ci', values: { name: 'ci', arn: 'arn:aws:iam::111111111111:role/ci', assume_role_policy: trust } }] } } };
    const { policies, errors } = await readPolicies(['state.json'], memory({ 'state.json': JSON.stringify(state, null, 2) }));
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.roleName, p.roleArn, p.document])).toEqual([['state.json#aws_iam_role.ci', 'ci', 'arn:aws:iam::111111111111:role/ci', JSON.parse(trust)]]);
  });

  it('of a plan whose policy Terraform knows only after apply: an error that says so', async () => {
    const plan = {
      format_version: '1.2',
      planned_values: { root_module: { resources: [{ address: 'aws_iam_role.ci', mode: 'managed', type: 'aws_iam_role', name: 'ci', values: { name: 'ci' } }] } },
      resource_changes: [{ address: 'aws_iam_role.ci', mode: 'managed', type: 'aws_iam_role', change: { actions: ['create'], after: { name: 'ci' }, after_unknown: { assume_role_policy: true, arn: true } } }],
    };
    expect((await readPolicies(['plan.json'], memory({ 'plan.json': JSON.stringify(plan, null, 2) }))).errors).toEqual([
      { file: 'plan.json', line: 7, message: 'aws_iam_role.ci: assume_role_policy is known only after apply: expected a trust policy' },
    ]);
  });
});
