// The Terraform expressions trust policies are written in: evaluated where the module decides them;
// anything else is left as its `${…}` source and named, never guessed.
import { describe, expect, it } from '@jest/globals';
import { Unknown, evaluateTemplate, plain, type Env, type Value } from '../../src/policies/hcl-expression.ts';

function evaluate(text: string, known: Record<string, Value> = {}, files: Record<string, string> = {}) {
  const assumed: string[] = [];
  const env: Env = {
    reference: (path, source) => {
      const key = path.slice(0, 2).join('.');
      if (!(key in known)) return new Unknown(source);
      return path.slice(2).reduce<Value>((v, s) => (v as Record<string, Value>)[String(s)] ?? null, known[key] ?? null);
    },
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`no ${p}`);
      return text;
    },
    assume: (t) => assumed.push(t),
  };
  return { value: plain(evaluateTemplate(text, env)), assumed };
}

const known = { 'var.org': 'acme', 'local.repos': ['web', 'api', 'docs'], 'local.envs': { prod: 'production', dev: 'development' } };

describe('evaluated', () => {
  it.each([
    ['interpolation', 'repo:${var.org}/${local.repos[1]}:*', 'repo:acme/api:*'],
    ['a whole expression keeps its type', '${local.repos}', ['web', 'api', 'docs']],
    ['for over a list, with a filter', '${[for r in local.repos : "repo:${var.org}/${r}:*" if r != "docs"]}', ['repo:acme/web:*', 'repo:acme/api:*']],
    ['for over a map, to a map', '${{ for k, v in local.envs : v => "repo:${var.org}/web:environment:${k}" }}', { production: 'repo:acme/web:environment:prod', development: 'repo:acme/web:environment:dev' }],
    ['format and join', '${format("repo:%s/%s:%s", var.org, "web", join(",", local.repos))}', 'repo:acme/web:web,api,docs'],
    ['jsonencode of an object with quoted keys', '${jsonencode({ "a:b" = [for r in local.repos : upper(r)], C = true })}', '{"a:b":["WEB","API","DOCS"],"C":true}'],
    ['concat, distinct, flatten', '${distinct(flatten(concat([local.repos], [["web"]])))}', ['web', 'api', 'docs']],
    ['a conditional', '${var.org == "acme" ? "StringEquals" : "StringLike"}', 'StringEquals'],
    ['regexall, as the usual modules test for an explicit subject suffix', '${[for s in ["acme/web", "acme/api:pull_request"] : length(regexall(":+", s)) > 0 ? "repo:${s}" : "repo:${s}:*"]}', ['repo:acme/web:*', 'repo:acme/api:pull_request']],
    ['an escaped interpolation is text', 'arn:$${aws:username}', 'arn:${aws:username}'],
  ])('%s', (_, text, expected) => {
    expect(evaluate(text, known)).toEqual({ value: expected, assumed: [] });
  });

  it('templatefile with its own variables and a for directive', () => {
    const tpl = '[%{ for r in repos ~}\n"repo:${org}/${r}:*",\n%{ endfor ~}\n"end"]';
    expect(evaluate('${templatefile("./t.tpl", { org = var.org, repos = local.repos })}', known, { './t.tpl': tpl }).value).toBe('["repo:acme/web:*",\n"repo:acme/api:*",\n"repo:acme/docs:*",\n"end"]');
  });
});

describe('left as written, and named', () => {
  it('an unknown reference stays in place inside a string and in jsonencode', () => {
    expect(evaluate('repo:${var.owner}/web:*', known).value).toBe('repo:${var.owner}/web:*');
    expect(evaluate('${jsonencode({ sub = "repo:${var.owner}/*" })}', known).value).toBe('{"sub":"repo:${var.owner}/*"}');
  });

  it('a function it does not evaluate, a splat, iterating over what is unknown', () => {
    expect(evaluate('${base64sha256(var.org)}', known)).toEqual({ value: '${base64sha256(var.org)}', assumed: ['${base64sha256(var.org)} is not evaluated (the function base64sha256() is not evaluated): left as written'] });
    expect(evaluate('${aws_iam_role.x[*].arn}', known)).toEqual({ value: '${aws_iam_role.x[*].arn}', assumed: ['${aws_iam_role.x[*].arn} is not evaluated (it selects from aws_iam_role.x, which is not known): left as written'] });
    expect(evaluate('${[for r in var.repos : "repo:${r}:*"]}', known).assumed).toEqual(['${[for r in var.repos : "repo:${r}:*"]} is not evaluated (cannot iterate over var.repos): left as written']);
  });
});

it('text that is no valid expression is kept as it is, and named', () => {
  expect(evaluate('repo:${var.org/*', known)).toEqual({ value: 'repo:${var.org/*', assumed: [expect.stringMatching(/^"repo:\$\{var\.org\/\*" cannot be evaluated \(.*\): left as written$/)] });
});
