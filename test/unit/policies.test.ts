// Each policy format, read from a repository shaped like real ones: the exact document each yields,
// what it says the role is, and what it had to assume. Files are reached only through PolicyFiles.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { readPolicies, type PolicyFiles, type ReadOptions } from '../../src/policies/read.ts';

const FX = 'test/fixtures/policies';
// Reproductions from repositories the check was tried on (not part of the whole-repository fixture).
const FIELD = 'test/fixtures/field';
const files: PolicyFiles = { read: (f) => readFileSync(f, 'utf8'), list: (d) => readdirSync(d), isDirectory: (p) => statSync(p).isDirectory() };
const read = (paths: string[], options?: ReadOptions) => readPolicies(paths, files, options);

const GITHUB = 'token.actions.githubusercontent.com';
const TF_ACCOUNT = '${data.aws_caller_identity.current.account_id}';
const provider = (account: string) => `arn:aws:iam::${account}:oidc-provider/${GITHUB}`;
const webIdentity = (account: string, condition: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  ...extra,
  Principal: { Federated: provider(account) },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: condition,
});

describe('Terraform', () => {
  it('the usual GitHub OIDC module: data source, provider resource, locals with for, defaults, terraform.tfvars and *.auto.tfvars', async () => {
    const result = await read([`${FX}/terraform-oidc`]);
    expect(result.errors).toEqual([]);
    expect(result.policies).toEqual([
      {
        where: `${FX}/terraform-oidc/main.tf#aws_iam_role.deploy`,
        file: `${FX}/terraform-oidc/main.tf`,
        line: 43,
        roleName: 'webapp-deploy',
        roleArn: `arn:aws:iam::${TF_ACCOUNT}:role/webapp-deploy`,
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'GitHubActions',
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: provider(TF_ACCOUNT) },
              Condition: {
                StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
                StringLike: { [`${GITHUB}:sub`]: ['repo:acme/webapp:ref:refs/heads/main', 'repo:acme/webapp:environment:production'] },
              },
            },
          ],
        },
        assumed: [
          `data.aws_caller_identity.current.account_id is the account Terraform runs in: left as ${TF_ACCOUNT}`,
          'var.branches = ["main"] (its default)',
          `var.github_org = "acme" (from ${FX}/terraform-oidc/terraform.tfvars)`,
          `var.github_repo = "webapp" (from ${FX}/terraform-oidc/terraform.tfvars)`,
          `var.environments = ["production"] (from ${FX}/terraform-oidc/prod.auto.tfvars)`,
        ],
        accountPlaceholders: [TF_ACCOUNT],
      },
    ]);
    expect(result.assumed).toContain(`${FX}/terraform-oidc/main.tf#aws_iam_role.deploy: var.branches = ["main"] (its default)`);
  });

  it('--var-file and --var override the module\'s values, in that order; ROLE_ARN=PATH names the account', async () => {
    const result = await read([`arn:aws:iam::123456789012:role/webapp-deploy=${FX}/terraform-oidc/main.tf`], {
      varFiles: [`${FX}/terraform-oidc/staging.tfvars`],
      vars: { github_repo: 'api', branches: '["main", "release/*"]' },
    });
    expect(result.errors).toEqual([]);
    const [policy] = result.policies;
    expect(policy?.roleArn).toBe('arn:aws:iam::123456789012:role/webapp-deploy');
    expect(policy?.roleName).toBe('webapp-deploy');
    expect(policy?.accountPlaceholders).toBeUndefined();
    expect(policy?.document.Statement[0]?.Principal).toEqual({ Federated: provider('123456789012') });
    expect(policy?.document.Statement[0]?.Condition?.StringLike).toEqual({
      [`${GITHUB}:sub`]: ['repo:acme/api:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/release/*', 'repo:acme/api:environment:staging', 'repo:acme/api:environment:production'],
    });
    expect(policy?.assumed).toEqual([
      'var.branches = ["main","release/*"] (from --var)',
      `var.github_org = "acme" (from ${FX}/terraform-oidc/terraform.tfvars)`,
      'var.github_repo = "api" (from --var)',
      `var.environments = ["staging","production"] (from ${FX}/terraform-oidc/staging.tfvars)`,
      `data.aws_caller_identity.current.account_id = 123456789012 (the account of arn:aws:iam::123456789012:role/webapp-deploy, given for ${FX}/terraform-oidc/main.tf)`,
    ]);
  });

  it('a variable without a value is left as written and named, never guessed', async () => {
    const { policies } = await read([`${FX}/terraform-oidc/main.tf`], { vars: {} , varFiles: [] });
    expect(policies).toHaveLength(1);
    // terraform.tfvars gives github_org; without it (a lone file read from elsewhere) it would be named:
    const lone = await readPolicies([`${FX}/terraform-oidc/main.tf`], { ...files, list: (d) => readdirSync(d).filter((n) => n.endsWith('.tf')) });
    expect(lone.policies[0]?.document.Statement[0]?.Condition?.StringLike).toEqual({
      [`${GITHUB}:sub`]: 'repo:${var.github_org}/placeholder:ref:refs/heads/main',
    });
    expect(lone.policies[0]?.roleName).toBe('placeholder-deploy');
    expect(lone.policies[0]?.assumed).toContain('var.github_org = (no value): left as ${var.github_org}');
  });

  it('tag-only, with locals and jsonencode', async () => {
    const { policies, errors } = await read([`${FX}/terraform-tags/iam.tf`]);
    expect(errors).toEqual([]);
    expect(policies).toEqual([
      {
        where: `${FX}/terraform-tags/iam.tf#aws_iam_role.release`,
        file: `${FX}/terraform-tags/iam.tf`,
        line: 9,
        roleName: 'release',
        roleArn: `arn:aws:iam::${TF_ACCOUNT}:role/release`,
        document: {
          Version: '2012-10-17',
          Statement: [
            webIdentity('111111111111', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:octo-org/octo-repo:ref:refs/tags/v*' } }),
          ],
        },
        assumed: [`data.aws_caller_identity.current.account_id is the account Terraform runs in: left as ${TF_ACCOUNT}`],
        accountPlaceholders: [TF_ACCOUNT],
      },
    ]);
  });

  it('a heredoc with an interpolated variable', async () => {
    const { policies, errors } = await read([`${FX}/terraform-heredoc`], { vars: { account_id: '444444444444' } });
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.line, p.document, p.assumed[0]])).toEqual([
      [
        `${FX}/terraform-heredoc/main.tf#aws_iam_role.ci`,
        5,
        { Version: '2012-10-17', Statement: [webIdentity('444444444444', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/api:pull_request' } })] },
        'var.account_id = "444444444444" (from --var)',
      ],
    ]);
  });

  it('templatefile() with a for directive, and file() with the policy beside the module (not read again as a policy of its own)', async () => {
    const { policies, errors } = await read([`${FX}/terraform-templatefile`]);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.document, p.assumed[0]])).toEqual([
      [
        `${FX}/terraform-templatefile/main.tf#aws_iam_role.deploy`,
        {
          Version: '2012-10-17',
          Statement: [
            webIdentity('222222222222', {
              StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
              StringLike: { [`${GITHUB}:sub`]: ['repo:acme/web:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main'] },
            }),
          ],
        },
        'var.repositories = ["acme/web","acme/api"] (its default)',
      ],
      [
        `${FX}/terraform-templatefile/main.tf#aws_iam_role.audit`,
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'audit-2024' } } }],
        },
        `data.aws_caller_identity.current.account_id is the account Terraform runs in: left as ${TF_ACCOUNT}`,
      ],
    ]);
  });

  it('a local module called with for_each, its arguments as its variables, a role with count, an output a root role uses; a registry module is named as not read', async () => {
    const result = await read([`${FX}/terraform-modules`]);
    expect(result.errors).toEqual([]);
    const root = `${FX}/terraform-modules/main.tf`;
    const child = `${FX}/terraform-modules/modules/github-role/main.tf`;
    const sub = (p: (typeof result.policies)[number]) => p.document.Statement[0]?.Condition;
    // Labelled by the caller's file and Terraform's address; located where the role is declared; instances in the order Terraform keys them (toset sorts).
    expect(result.policies.map((p) => [p.where, p.file, p.line, p.roleName, sub(p)])).toEqual([
      [`${root}#aws_iam_role.previews`, root, 26, 'previews', { StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/web:pull_request' } }],
      [`${root}#module.deploy_role["api"].aws_iam_role.deploy`, child, 18, 'acme-api-deploy', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/api:environment:production' } }],
      [`${root}#module.deploy_role["web"].aws_iam_role.deploy`, child, 18, 'acme-web-deploy', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/web:environment:production' } }],
      [`${root}#module.deploy_role["web"].aws_iam_role.readonly[0]`, child, 36, 'acme-web-readonly', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/web:*' } }],
    ]);
    expect(result.policies[0]?.assumed).toEqual([`var.repository = "acme/web" (from module.deploy_role["web"] in ${root})`, `data.aws_caller_identity.current.account_id is the account Terraform runs in: left as ${TF_ACCOUNT}`]);
    expect(result.policies[2]?.assumed).toEqual([
      `var.repository = "acme/web" (from module.deploy_role["web"] in ${FX}/terraform-modules/main.tf)`,
      'var.environment = "production" (its default)',
      `var.environment = "production" (from module.deploy_role["web"] in ${FX}/terraform-modules/main.tf)`,
      `data.aws_caller_identity.current.account_id is the account Terraform runs in: left as ${TF_ACCOUNT}`,
    ]);
    expect(result.assumed[0]).toBe(
      `${FX}/terraform-modules/main.tf: module.oidc_provider comes from terraform-aws-modules/iam/aws//modules/iam-github-oidc-provider, which is not read (only local modules are): give a \`terraform show -json\` plan to check the roles it makes`,
    );
  });

  it('a Terraform file that does not parse is one error with its line; the other files are still read', async () => {
    const broken: PolicyFiles = {
      read: (f) => (f.endsWith('broken/main.tf') ? 'resource "aws_iam_role" "x" {\n  name = \n}\n' : files.read(f)),
      list: (d) => (d.endsWith('broken') ? ['main.tf'] : files.list(d)),
      isDirectory: (p) => (p.endsWith('broken') ? true : p.endsWith('broken/main.tf') ? false : files.isDirectory(p)),
    };
    const result = await readPolicies([`${FX}/broken/main.tf`, `${FX}/terraform-tags/iam.tf`], broken);
    expect(result.errors).toEqual([{ file: `${FX}/broken/main.tf`, line: 2, message: expect.stringMatching(/^not valid Terraform: /) }]);
    expect(result.policies.map((p) => p.where)).toEqual([`${FX}/terraform-tags/iam.tf#aws_iam_role.release`]);
  });
});

describe('an OIDC provider data source looked up by its ARN (field: chrispsheehan/terraform-aws-github-oidc-role)', () => {
  it('its arn is the ARN it is looked up by, not one made from a url it does not have', async () => {
    const { policies, errors } = await read([`${FIELD}/terraform-provider-by-arn`]);
    expect(errors).toEqual([]);
    expect(policies.map((p) => p.document.Statement[0]?.Principal)).toEqual([{ Federated: 'arn:aws:iam::${data.aws_caller_identity.this.account_id}:oidc-provider/token.actions.githubusercontent.com' }]);
  });
});

describe('Terraform a field repository broke (field findings)', () => {
  it('a local module whose source folder is not there is one error on its call; the role beside it is read', async () => {
    const result = await read([`${FIELD}/terraform-missing-module`]);
    expect(result.errors).toEqual([
      { file: `${FIELD}/terraform-missing-module/main.tf`, line: 3, message: `module.id_provider: its source ../usecases/id_provider is not a folder of this repository (${FIELD}/usecases/id_provider): not read` },
    ]);
    expect(result.policies.map((p) => p.where)).toEqual([`${FIELD}/terraform-missing-module/main.tf#aws_iam_role.deploy`]);
  });
});

describe('Terraform variables typed as declared (field: lenhofr/bstri)', () => {
  it('--var create_role=true is the bool true for a bool variable; a null default is null', async () => {
    const given = await read([`${FIELD}/terraform-typed-vars`], { vars: { create_role: 'true' } });
    expect(given.errors).toEqual([]);
    expect(given.policies.map((p) => [p.where, p.document.Statement[0]?.Condition?.StringEquals])).toEqual([
      [`${FIELD}/terraform-typed-vars/main.tf#aws_iam_role.deploy[0]`, { 'token.actions.githubusercontent.com:aud': ['sts.amazonaws.com'] }],
    ]);
    const off = await read([`${FIELD}/terraform-typed-vars`], { vars: { create_role: 'false' } });
    expect(off.policies).toEqual([]);
  });
});

describe('a CloudFormation list parameter (field: dceoy/aws-cfn-github-oidc-and-runner)', () => {
  const sub = async (options?: ReadOptions) => (await read([`${FIELD}/cloudformation-list-parameter/oidc.cfn.yml`], options)).policies[0]?.document.Statement[0]?.Condition?.StringLike;
  it('a CommaDelimitedList is a list, from its default and from --var', async () => {
    expect(await sub()).toEqual({ 'token.actions.githubusercontent.com:sub': ['repo:acme/webapp:ref:refs/heads/main', 'repo:acme/webapp:pull_request'] });
    expect(await sub({ vars: { GitHubRepositoriesRequiringOidc: 'repo:acme/webapp:*, repo:acme/infra:*' } })).toEqual({ 'token.actions.githubusercontent.com:sub': ['repo:acme/webapp:*', 'repo:acme/infra:*'] });
  });
});

describe('conditions built the way philips-labs/terraform-aws-github-oidc builds them (field)', () => {
  it('setunion, `key => value...` grouping, a splat and substr are evaluated: no condition block is left out', async () => {
    const { policies, errors } = await read([`${FIELD}/terraform-grouped-conditions`]);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.roleName, p.document.Statement[0]?.Condition])).toEqual([
      ['acme-webapp', { StringLike: { [`${GITHUB}:sub`]: 'repo:acme/webapp:ref:refs/heads/main' }, StringNotLike: { [`${GITHUB}:sub`]: 'repo:acme/webapp:pull_request' } }],
    ]);
    expect(policies[0]?.assumed.join('\n')).not.toMatch(/left out|not evaluated/);
  });
});

describe('CloudFormation, SAM and CDK', () => {
  it('a YAML template with !Sub (with a map), !Ref, !GetAtt of the OIDC provider, !Join and parameter defaults', async () => {
    const { policies, errors } = await read([`${FX}/cloudformation/github-oidc.yaml`]);
    expect(errors).toEqual([]);
    expect(policies).toEqual([
      {
        where: `${FX}/cloudformation/github-oidc.yaml#DeployRole`,
        file: `${FX}/cloudformation/github-oidc.yaml`,
        line: 25,
        roleName: 'webapp-deploy',
        roleArn: 'arn:aws:iam::${AWS::AccountId}:role/webapp-deploy',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRoleWithWebIdentity',
              Principal: { Federated: provider('${AWS::AccountId}') },
              Condition: {
                StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
                StringLike: { [`${GITHUB}:sub`]: ['repo:acme/webapp:ref:refs/heads/${DeployBranch}', 'repo:acme/webapp:environment:production'] },
              },
            },
          ],
        },
        assumed: [
          'AWS::AccountId is the account the stack is deployed to: left as ${AWS::AccountId}',
          'AWS::Partition = "aws" (assumed: the standard partition)',
          'parameter OIDCAudience = "sts.amazonaws.com" (its default)',
          'parameter GitHubOrg = "acme" (its default)',
          'parameter RepositoryName = "webapp" (its default)',
          'DeployBranch is a parameter without a Default: left as ${DeployBranch}',
        ],
        accountPlaceholders: ['${AWS::AccountId}'],
      },
      {
        where: `${FX}/cloudformation/github-oidc.yaml#ReadOnlyRole`,
        file: `${FX}/cloudformation/github-oidc.yaml`,
        line: 46,
        roleName: 'ReadOnlyRole',
        document: {
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: provider('${AWS::AccountId}') }, Condition: { StringLike: { [`${GITHUB}:sub`]: 'repo:acme/*' } } },
          ],
        },
        assumed: [
          'AWS::Partition = "aws" (assumed: the standard partition)',
          'AWS::AccountId is the account the stack is deployed to: left as ${AWS::AccountId}',
          'parameter GitHubOrg = "acme" (its default)',
          'ReadOnlyRole has no RoleName: CloudFormation names the role after the stack; matched by its logical id',
        ],
        accountPlaceholders: ['${AWS::AccountId}'],
      },
    ]);
  });

  it('--var sets a parameter; ROLE_ARN=PATH gives the account and the role', async () => {
    const { policies } = await read([`arn:aws:iam::123456789012:role/webapp-deploy=${FX}/cloudformation/github-oidc.yaml`], { vars: { DeployBranch: 'main' } });
    const [deploy, readOnly] = policies;
    expect(deploy?.roleArn).toBe('arn:aws:iam::123456789012:role/webapp-deploy');
    expect(deploy?.document.Statement[0]?.Principal).toEqual({ Federated: provider('123456789012') });
    expect(deploy?.document.Statement[0]?.Condition?.StringLike).toEqual({ [`${GITHUB}:sub`]: ['repo:acme/webapp:ref:refs/heads/main', 'repo:acme/webapp:environment:production'] });
    expect(deploy?.assumed).toContain('parameter DeployBranch = "main" (from --var)');
    // The other role in the file is in the same account, and keeps its own name.
    expect(readOnly?.roleName).toBe('ReadOnlyRole');
    expect(readOnly?.document.Statement[0]?.Principal).toEqual({ Federated: provider('123456789012') });
  });

  it('a CDK synth: the provider custom resource by Ref, Fn::Join of the partition and account; manifest.json is not a policy', async () => {
    const { policies, errors } = await read([`${FX}/cdk.out`]);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.line, p.roleName, p.roleArn, p.document])).toEqual([
      [
        `${FX}/cdk.out/DeployStack.template.json#DeployRole3A0B7BC1`,
        24,
        'cdk-deploy',
        'arn:aws:iam::${AWS::AccountId}:role/cdk-deploy',
        {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/webapp:*' } },
              Effect: 'Allow',
              Principal: { Federated: provider('${AWS::AccountId}') },
            },
          ],
        },
      ],
      [
        `${FX}/cdk.out/DeployStack.template.json#PipelineRole5B4C8D29`,
        55,
        'PipelineRole5B4C8D29',
        undefined,
        {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/webapp:environment:production', [`${GITHUB}:aud`]: 'sts.amazonaws.com' } },
              Effect: 'Allow',
              Principal: { Federated: provider('${AWS::AccountId}') },
            },
          ],
        },
      ],
    ]);
  });

  it('a SAM template: a role with a Path and an explicit Deny beside the serverless function', async () => {
    const { policies, errors } = await read([`${FX}/sam/template.yaml`]);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.roleName, p.roleArn, p.document, p.assumed])).toEqual([
      [
        `${FX}/sam/template.yaml#GitHubDeployRole`,
        'sam-deploy-prod',
        'arn:aws:iam::${AWS::AccountId}:role/ci/sam-deploy-prod',
        {
          Version: '2012-10-17',
          Statement: [
            webIdentity('${AWS::AccountId}', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/api:environment:prod' } }),
            { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${GITHUB}:event_name`]: 'pull_request_target' } } },
          ],
        },
        ['AWS::AccountId is the account the stack is deployed to: left as ${AWS::AccountId}', 'parameter Stage = "prod" (its default)', 'AWS::Partition = "aws" (assumed: the standard partition)'],
      ],
    ]);
  });
});

describe('terraform show -json and IAM JSON', () => {
  it('a plan: every aws_iam_role in the root and child modules, as Terraform resolved it', async () => {
    const { policies, errors } = await read([`${FX}/plan/plan.json`]);
    expect(errors).toEqual([]);
    expect(policies.map((p) => [p.where, p.line, p.roleName, p.roleArn, p.document.Statement[0]?.Condition, p.assumed])).toEqual([
      [`${FX}/plan/plan.json#module.github_oidc.aws_iam_role.deploy`, 28, 'webapp-deploy', undefined, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/webapp:pull_request' } }, []],
      [`${FX}/plan/plan.json#module.github_oidc.aws_iam_role.ci`, 50, 'webapp-ci', undefined, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/webapp:ref:refs/heads/main' } }, []],
    ]);
  });

  it('a folder of JSON: a document, get-role output; a permissions policy and notes are skipped; broken JSON is an error with its line', async () => {
    const result = await read([`${FX}/iam`]);
    expect(result.policies.map((p) => [p.where, p.roleArn, p.roleName])).toEqual([
      [`${FX}/iam/get-role.json`, 'arn:aws:iam::111111111111:role/webapp-deploy', 'webapp-deploy'],
      [`${FX}/iam/trust-policy.json`, undefined, undefined],
    ]);
    expect(result.policies[1]?.document).toEqual(JSON.parse(readFileSync(`${FX}/iam/trust-policy.json`, 'utf8')));
    expect(result.errors).toEqual([{ file: `${FX}/iam/broken.json`, line: 4, message: "not valid JSON: Expected ',' or '}' after property value" }]);
  });

  it('a file given that holds no trust policy: one error naming it and what was expected; the other files are still read', async () => {
    const result = await read([`${FX}/iam/permissions.json`, `${FX}/iam/notes.yaml`, `${FX}/missing.json`, `${FX}/iam/trust-policy.json`]);
    expect(result.errors).toEqual([
      { file: `${FX}/iam/permissions.json`, message: 'holds a policy whose statements name no Principal (a permissions policy): expected a trust policy' },
      { file: `${FX}/iam/notes.yaml`, message: 'holds no trust policy: expected an IAM trust policy (JSON), a CloudFormation/SAM/CDK template with an AWS::IAM::Role, Terraform (.tf) or a `terraform show -json` plan' },
      { file: `${FX}/missing.json`, message: expect.stringMatching(/^cannot be read: ENOENT/) },
    ]);
    expect(result.policies.map((p) => p.where)).toEqual([`${FX}/iam/trust-policy.json`]);
  });
});

it('a whole repository: every format in its folders, each policy once (files a module reads, modules it calls and what terraform init downloads are not read again), one error for the broken file', async () => {
  const result = await read([FX]);
  expect(result.errors).toEqual([{ file: `${FX}/iam/broken.json`, line: 4, message: "not valid JSON: Expected ',' or '}' after property value" }]);
  expect(result.policies.map((p) => p.where)).toEqual([
    `${FX}/terraform-heredoc/main.tf#aws_iam_role.ci`,
    `${FX}/terraform-modules/main.tf#aws_iam_role.previews`,
    `${FX}/terraform-modules/main.tf#module.deploy_role["api"].aws_iam_role.deploy`,
    `${FX}/terraform-modules/main.tf#module.deploy_role["web"].aws_iam_role.deploy`,
    `${FX}/terraform-modules/main.tf#module.deploy_role["web"].aws_iam_role.readonly[0]`,
    `${FX}/terraform-oidc/main.tf#aws_iam_role.deploy`,
    `${FX}/terraform-tags/iam.tf#aws_iam_role.release`,
    `${FX}/terraform-templatefile/main.tf#aws_iam_role.deploy`,
    `${FX}/terraform-templatefile/main.tf#aws_iam_role.audit`,
    `${FX}/cdk.out/DeployStack.template.json#DeployRole3A0B7BC1`,
    `${FX}/cdk.out/DeployStack.template.json#PipelineRole5B4C8D29`,
    `${FX}/cloudformation/github-oidc.yaml#DeployRole`,
    `${FX}/cloudformation/github-oidc.yaml#ReadOnlyRole`,
    `${FX}/iam/get-role.json`,
    `${FX}/iam/trust-policy.json`,
    `${FX}/plan/plan.json#module.github_oidc.aws_iam_role.deploy`,
    `${FX}/plan/plan.json#module.github_oidc.aws_iam_role.ci`,
    `${FX}/sam/template.yaml#GitHubDeployRole`,
  ]);
});
