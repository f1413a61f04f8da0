// IAM's own forms: a policy document, or what `aws iam get-role` prints (the document under
// Role.AssumeRolePolicyDocument, URL-encoded as the API returns it or decoded as the CLI prints it).
import { toPolicyDocument, type PolicyDocument } from '../iam/policy.ts';
import { PolicyReadError, type FoundPolicy } from './found.ts';

type GetRole = { Role: { AssumeRolePolicyDocument?: unknown; Arn?: unknown; RoleName?: unknown } };

export function isPolicyJson(value: unknown): boolean {
  return !!value && typeof value === 'object' && ('Statement' in value || isGetRole(value));
}

function isGetRole(value: unknown): value is GetRole {
  const role = (value as { Role?: unknown }).Role;
  return !!role && typeof role === 'object' && 'AssumeRolePolicyDocument' in role;
}

/** The document as IAM returns it: JSON, possibly URL-encoded. */
export function decodeDocument(text: string): unknown {
  return JSON.parse(/^\s*%7B/i.test(text) ? decodeURIComponent(text) : text);
}

/** A trust policy names who may assume the role; a permissions policy never has a Principal. */
export function trustPolicy(file: string, value: unknown, line?: number): PolicyDocument {
  const document = toPolicyDocument(value);
  if (!document.Statement.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined)) {
    throw new PolicyReadError(file, 'holds a policy whose statements name no Principal (a permissions policy): expected a trust policy', line);
  }
  return document;
}

export function readIamJson(file: string, value: unknown): FoundPolicy {
  if (isGetRole(value)) {
    const { AssumeRolePolicyDocument: raw, Arn, RoleName } = value.Role;
    const document = trustPolicy(file, typeof raw === 'string' ? decodeDocument(raw) : raw);
    return {
      where: file,
      file,
      ...(typeof Arn === 'string' ? { roleArn: Arn } : {}),
      ...(typeof RoleName === 'string' ? { roleName: RoleName } : {}),
      document,
      assumed: [],
    };
  }
  return { where: file, file, document: trustPolicy(file, value), assumed: [] };
}
