// What every policy reader returns, and the one way its errors are raised.
import type { PolicyDocument } from '../iam/policy.ts';

export interface FoundPolicy {
  /** 'infra/iam.tf#aws_iam_role.deploy', 'template.yaml#DeployRole', 'policy.json', 'plan.json#aws_iam_role.deploy', 'aws:arn:aws:iam::1:role/x' */
  where: string;
  file: string;
  line?: number;
  /** What the source says the role is (either may be unknown). */
  roleArn?: string;
  roleName?: string;
  document: PolicyDocument;
  /** What was assumed to resolve it ("var.github_org = (no value): left as ${var.github_org}"). */
  assumed: string[];
  /**
   * The placeholders standing for an account the source does not name (`${AWS::AccountId}`,
   * `${data.aws_caller_identity.current.account_id}`), as they appear in `document` and `roleArn`:
   * `forAccount` puts the account of the role a workflow assumes in their place.
   */
  accountPlaceholders?: string[];
}

export interface ReadError {
  file: string;
  line?: number;
  message: string;
}

export interface ReadResult {
  policies: FoundPolicy[];
  errors: ReadError[];
  assumed: string[];
}

/** The only way readers reach files: paths as the user gave them, relative or absolute. */
export interface PolicyFiles {
  read(file: string): string;
  list(dir: string): string[];
  isDirectory(p: string): boolean;
}

export interface ReadOptions {
  /** `--var NAME=VALUE`: Terraform variables and CloudFormation parameters. */
  vars?: Record<string, string>;
  /** `--var-file FILE`: tfvars files, applied after the module's own. */
  varFiles?: string[];
  /** File → role ARN, from `ROLE_ARN=PATH`. */
  roleFor?: Record<string, string>;
}

/** A role's ARN: its account and its name (the last part of a path). */
export const ROLE_ARN = /^arn:[\w-]+:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** A file that cannot be read as what it claims to be. */
export class PolicyReadError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, message: string, line?: number) {
    super(message);
    this.file = file;
    this.line = line;
  }
}

/** The 1-based line at which `index` falls in `text`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
