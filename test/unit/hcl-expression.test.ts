// A corpus of Terraform expressions through HashiCorp's evaluator (hcl/v2 and cty in WebAssembly), each
// with the result Terraform documents: the function reference's examples (developer.hashicorp.com/
// terraform/language/functions/NAME), the expressions GitHub's and AWS's OIDC guides and the project's
// fixtures write trust policies with; then what stays unknown, and how it shows.
import { describe, expect, it } from '@jest/globals';
import { ExpressionError, Unknown, plain, terraformEvaluator, type Host, type Value } from '../../src/policies/hcl-expression.ts';

const files: Record<string, string> = {
  'backends.tftpl': '%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n',
  'policies/trust.json.tpl': '{"Statement":[{"Condition":{"StringLike":{"sub":${jsonencode([for r in repositories : "repo:${r}:*"])}}}}]}',
  'files/hello.txt': 'Hello\n',
  'files/world.txt': 'World\n',
  'files/sub/other.md': '#',
};

const host: Host = {
  read: (p) => {
    const text = files[p.replace(/^\.\//, '')];
    if (text === undefined) throw new Error(`no file ${p}`);
    return text;
  },
  exists: (p) => p.replace(/^\.\//, '') in files,
  files: (dir) => Object.keys(files).filter((f) => dir === '.' || f.startsWith(`${dir}/`)).map((f) => (dir === '.' ? f : f.slice(dir.length + 1))),
};

/** Evaluates `expression` as an attribute of a .tf file, with `variables` as the references' values. */
async function evaluate(expression: string, variables: Record<string, Value> = {}): Promise<unknown> {
  const evaluator = await terraformEvaluator();
  const body = evaluator.parse('corpus.tf', `locals {\n  x = ${expression}\n}\n`);
  return plain(evaluator.evaluate(body.blocks[0]!.body.attributes.x!, variables, host));
}

describe("Terraform's function reference: the documented results", () => {
  it.each([
    // String functions; offsets and lengths count grapheme clusters.
    ['substr("hello world", 1, 4)', 'ello'],
    ['substr("\u{1F914}\u{1F937}", 0, 1)', '\u{1F914}'],
    ['substr("hello world", -5, -1)', 'world'],
    ['substr("hello world", 6, 10)', 'world'],
    ['length("hello")', 5],
    ['length("\u{1F47E}\u{1F579}\u{FE0F}")', 2],
    ['length(["a", "b"])', 2],
    ['length({"a" = "b"})', 1],
    ['strrev("hello")', 'olleh'],
    ['strrev("a \u2603")', '\u2603 a'],
    ['upper("hello")', 'HELLO'],
    ['upper("\u0430\u043B\u043B\u043E!")', '\u0410\u041B\u041B\u041E!'],
    ['lower("HELLO")', 'hello'],
    ['lower("\u0410\u041B\u041B\u041E!")', '\u0430\u043B\u043B\u043E!'],
    ['title("hello world")', 'Hello World'],
    ['replace("1 + 2 + 3", "+", "-")', '1 - 2 - 3'],
    ['replace("hello world", "/w.*d/", "everybody")', 'hello everybody'],
    ['trimprefix("helloworld", "hello")', 'world'],
    ['trimsuffix("helloworld", "world")', 'hello'],
    ['trimspace("  hello\\n\\n")', 'hello'],
    ['chomp("hello\\n")', 'hello'],
    ['startswith("hello world", "hello")', true],
    ['endswith("hello world", "world")', true],
    ['format("Hello, %s!", "Ander")', 'Hello, Ander!'],
    ['format("There are %d lights", 4)', 'There are 4 lights'],
    ['formatlist("Hello, %s!", ["Valentina", "Ander"])', ['Hello, Valentina!', 'Hello, Ander!']],
    ['join(", ", ["foo", "bar", "baz"])', 'foo, bar, baz'],
    ['split(",", "foo,bar,baz")', ['foo', 'bar', 'baz']],
    ['regex("[a-z]+", "53453453.345345aaabbbccc23454")', 'aaabbbccc'],
    ['regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ['2019', '02', '01']],
    ['length(regexall("[a-z]+", "1234abcd5678efgh9"))', 2],
    // Collections.
    ['concat(["a", ""], ["b", "c"])', ['a', '', 'b', 'c']],
    ['flatten([["a", "b"], [], ["c"]])', ['a', 'b', 'c']],
    ['distinct(["a", "b", "a", "c", "d", "b"])', ['a', 'b', 'c', 'd']],
    ['element(["a", "b", "c"], 3)', 'a'],
    ['keys({a = 1, c = 2, d = 3})', ['a', 'c', 'd']],
    ['values({a = 3, c = 2, d = 1})', [3, 2, 1]],
    ['lookup({a = "ay", b = "bee"}, "c", "what?")', 'what?'],
    ['merge({a = "b", c = "d"}, {e = "f", c = "z"})', { a: 'b', c: 'z', e: 'f' }],
    ['coalesce("", "b")', 'b'],
    ['coalescelist(["a", "b"], ["c", "d"])', ['a', 'b']],
    ['compact(["a", "", "b", null, "c"])', ['a', 'b', 'c']],
    ['one([])', null],
    ['one(["hello"])', 'hello'],
    ['contains(["a", "b", "c"], "a")', true],
    ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
    ['setproduct(["development", "staging"], ["app1", "app2"])', [['development', 'app1'], ['development', 'app2'], ['staging', 'app1'], ['staging', 'app2']]],
    ['toset(["c", "b", "b"])', ['b', 'c']],
    ['alltrue(["true", true])', true],
    ['anytrue([false, true])', true],
    ['sum([10, 13, 6, 4.5])', 33.5],
    // Encoding and files, read through the host only.
    ['jsonencode({"hello" = "world"})', '{"hello":"world"}'],
    ['jsondecode("{\\"hello\\": \\"world\\"}")', { hello: 'world' }],
    ['templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })', 'backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n'],
    ['fileset(".", "files/*.txt")', ['files/hello.txt', 'files/world.txt']],
    ['fileset("files", "**")', ['hello.txt', 'sub/other.md', 'world.txt']],
    ['file("files/hello.txt")', 'Hello\n'],
    ['fileexists("files/nothing.txt")', false],
    ['try(local.nothing.here, "fallback")', 'fallback'],
    ['can(regex("^[a-z]+$", "abc"))', true],
  ])('%s', async (expression, expected) => {
    expect(await evaluate(expression, { local: {} })).toEqual(expected);
  });
});

describe("trust policies as GitHub's and AWS's OIDC guides and the project's fixtures write them", () => {
  const vars = { var: { org: 'octo-org', repo: 'octo-repo', repositories: ['acme/web', 'acme/api'], branches: ['main'], environments: ['prod'] }, local: { repository: 'acme/web' } };
  it.each([
    ['"repo:${var.org}/${var.repo}:*"', 'repo:octo-org/octo-repo:*'],
    ['"repo:${var.org}/${var.repo}:ref:refs/heads/main"', 'repo:octo-org/octo-repo:ref:refs/heads/main'],
    ['[for r in var.repositories : "repo:${r}:*"]', ['repo:acme/web:*', 'repo:acme/api:*']],
    [
      'concat([for b in var.branches : "repo:${local.repository}:ref:refs/heads/${b}"], [for e in var.environments : "repo:${local.repository}:environment:${e}"])',
      ['repo:acme/web:ref:refs/heads/main', 'repo:acme/web:environment:prod'],
    ],
    ['replace(local.repository, "/", "-")', 'acme-web'],
    [
      'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:${var.org}/*" } } }] })',
      '{"Statement":[{"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*"}},"Effect":"Allow"}],"Version":"2012-10-17"}',
    ],
    ['templatefile("policies/trust.json.tpl", { repositories = var.repositories })', '{"Statement":[{"Condition":{"StringLike":{"sub":["repo:acme/web:*","repo:acme/api:*"]}}}]}'],
    ['[for s in ["acme/web", "acme/api:pull_request"] : length(regexall(":+", s)) > 0 ? "repo:${s}" : "repo:${s}:*"]', ['repo:acme/web:*', 'repo:acme/api:pull_request']],
    ['replace("repo:acme/web:ref:refs/heads/main", "/^repo:([^/]+)/.*$/", "repo:$1/*")', 'repo:acme/*'],
    ['"arn:$${aws:username}"', 'arn:${aws:username}'],
  ])('%s', async (expression, expected) => {
    expect(await evaluate(expression, vars)).toEqual(expected);
  });
});

describe('what is not known stays unknown, and shows as its source', () => {
  const unknown = { var: { org: new Unknown('var.org'), repos: new Unknown('var.repos') } };
  it.each([
    ['"repo:${var.org}/web:*"', 'repo:${var.org}/web:*'],
    ['jsonencode({ sub = "repo:${var.org}/*" })', '{"sub":"repo:${var.org}/*"}'],
    ['["repo:acme/web:*", "repo:${var.org}/api:*"]', ['repo:acme/web:*', 'repo:${var.org}/api:*']],
    // A function's result from an unknown is unknown: shown as the call.
    ['upper(var.org)', '${upper(var.org)}'],
    ['[for r in var.repos : "repo:${r}:*"]', '${[for r in var.repos : "repo:${r}:*"]}'],
    ['var.org == "acme" ? "*" : "repo:acme/web:*"', '${var.org == "acme" ? "*" : "repo:acme/web:*"}'],
  ])('%s', async (expression, expected) => {
    expect(await evaluate(expression, unknown)).toEqual(expected);
  });

  it('a function that would rewrite the placeholder text sees an unknown: the result shows as the call, never as known text', async () => {
    expect(await evaluate('replace("repo:${var.org}/web", "/\\\\$\\\\{.*\\\\}/", "*")', unknown)).toBe('${replace("repo:${var.org}/web", "/\\\\$\\\\{.*\\\\}/", "*")}');
    expect(await evaluate('substr("${var.org}", 0, 1)', unknown)).toBe('${substr("${var.org}", 0, 1)}');
  });

  it('what Terraform refuses is an error naming the line: a missing file, a template variable not given', async () => {
    await expect(evaluate('file("/etc/passwd")')).rejects.toThrow(/no file \/etc\/passwd/);
    await expect(evaluate('templatefile("backends.tftpl", { port = 1 })')).rejects.toThrow(/vars map does not contain key "ip_addrs"/);
    await expect(evaluate('templatefile("backends.tftpl", { port = 1 })')).rejects.toBeInstanceOf(ExpressionError);
  });
});
