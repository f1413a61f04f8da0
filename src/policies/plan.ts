// `terraform show -json`: a plan (planned_values, resource_changes) or a state (values). The policies
// there are final: Terraform has resolved every expression, except what it knows only after apply.
import type { FoundPolicy } from './found.ts';
import { PolicyReadError, lineAt } from './found.ts';
import { trustPolicy } from './iam-json.ts';

interface Resource { address?: string; mode?: string; type?: string; values?: Record<string, unknown> }
interface Module { resources?: Resource[]; child_modules?: Module[] }
interface Change { address?: string; mode?: string; type?: string; change?: { actions?: string[]; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> } }
export interface Plan { format_version?: string; planned_values?: { root_module?: Module }; values?: { root_module?: Module }; resource_changes?: Change[] }

export function isPlan(value: unknown): value is Plan {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.format_version === 'string' && ('planned_values' in v || 'resource_changes' in v || 'values' in v);
}

function* resources(module: Module | undefined): Generator<Resource> {
  for (const r of module?.resources ?? []) yield r;
  for (const child of module?.child_modules ?? []) yield* resources(child);
}

export function readPlan(file: string, plan: Plan, text: string): FoundPolicy[] {
  const policies: FoundPolicy[] = [];
  const changes = new Map((plan.resource_changes ?? []).map((c) => [c.address ?? '', c]));
  for (const r of resources(plan.planned_values?.root_module ?? plan.values?.root_module)) {
    if (r.type !== 'aws_iam_role' || r.mode === 'data') continue;
    const where = `${file}#${r.address ?? ''}`;
    const at = text.indexOf(`"address": ${JSON.stringify(r.address)}`);
    const line = at >= 0 ? lineAt(text, at) : undefined;
    const policy = r.values?.assume_role_policy;
    if (typeof policy !== 'string') {
      const unknown = changes.get(r.address ?? '')?.change?.after_unknown?.assume_role_policy === true;
      throw new PolicyReadError(file, `${r.address ?? 'aws_iam_role'}: ${unknown ? 'assume_role_policy is known only after apply' : 'has no assume_role_policy'}: expected a trust policy`, line);
    }
    const name = r.values?.name;
    const arn = r.values?.arn;
    let document;
    try {
      document = trustPolicy(file, JSON.parse(policy));
    } catch (error) {
      if (error instanceof PolicyReadError) throw new PolicyReadError(file, `${r.address ?? ''}: ${error.message}`, line);
      throw new PolicyReadError(file, `${r.address ?? ''}: assume_role_policy is not a policy document (${(error as Error).message})`, line);
    }
    policies.push({
      where,
      file,
      ...(line ? { line } : {}),
      ...(typeof arn === 'string' ? { roleArn: arn } : {}),
      ...(typeof name === 'string' ? { roleName: name } : {}),
      document,
      assumed: [],
    });
  }
  if (policies.length === 0) throw new PolicyReadError(file, 'is a Terraform plan without an aws_iam_role: expected a trust policy');
  return policies;
}
