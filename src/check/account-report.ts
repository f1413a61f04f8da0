// --all-roles, for a person (a table of the roles that trust GitHub, the strangers each admits and why),
// for a workflow (annotations, a job summary) and for tools (--json: roles with their strangers, and the
// counts). A role has no file: it is named by its ARN everywhere. Pure: judgement in, text out.
import { doorOf, type AccountJudgement, type Door, type JudgedRole } from './account.ts';
import { dependsOn, type JudgedStranger } from './judge.ts';
import { markdownText, printable } from './one-line.ts';
import { escapeData, letIn } from './report.ts';

export type RoleVerdict = 'admits strangers' | 'unknown' | 'no stranger' | 'unreadable';

export interface AccountJson {
  roles: {
    arn: string;
    name: string;
    /** The GitHub providers (issuer hosts) its trust policy names; empty when unreadable. */
    providers: string[];
    /** Who gets in, as far as the strangers tell: `acme/webapp`, `any repository of acme`, `repositories of other owners`. */
    reach: string | null;
    verdict: RoleVerdict;
    /** The sub of the token its trust policy is written for, that strangers are moved from. */
    sub: string | null;
    strangers: { who: string; sub: string; condition: Door; claims: Record<string, unknown>; why: string }[];
    /** With --org: that owner's repositories admitted (breadth, not findings). */
    ours: { who: string; sub: string }[];
    error?: string;
  }[];
  summary: { listed: number; trustingGitHub: number; admittingStrangers: number; unreadable: number; byCondition: Partial<Record<Door, number>> };
}

export function verdictOf(role: JudgedRole): RoleVerdict {
  if (role.admitted.some((s) => !s.unresolved)) return 'admits strangers';
  return role.admitted.length > 0 ? 'unknown' : 'no stranger';
}

const why = (s: JudgedStranger): string => (s.unresolved ? `UNKNOWN (${dependsOn(s.unresolved, s.policy)})` : letIn(s));

/** Roles counted once under each condition that let a stranger in. */
function byCondition(judgement: AccountJudgement): Partial<Record<Door, number>> {
  const counts: Partial<Record<Door, number>> = {};
  for (const role of judgement.roles) for (const door of new Set(role.admitted.filter((s) => !s.unresolved).map(doorOf))) counts[door] = (counts[door] ?? 0) + 1;
  return counts;
}

export function accountJson(judgement: AccountJudgement): AccountJson {
  const roles: AccountJson['roles'] = judgement.roles.map((role) => ({
    arn: role.arn,
    name: role.policy.roleName ?? role.arn.split('/').pop() ?? '',
    providers: role.providers,
    reach: role.reach,
    verdict: verdictOf(role),
    sub: String(role.sample.sub),
    strangers: role.admitted.map((s) => ({ who: s.stranger.who, sub: String(s.stranger.claims.sub), condition: doorOf(s), claims: s.stranger.claims, why: why(s) })),
    ours: role.ours.map((s) => ({ who: s.stranger.who, sub: String(s.stranger.claims.sub) })),
  }));
  for (const u of judgement.unreadable) roles.push({ arn: u.arn, name: u.name, providers: [], reach: null, verdict: 'unreadable', sub: null, strangers: [], ours: [], error: u.message });
  return {
    roles,
    summary: {
      listed: judgement.listed,
      trustingGitHub: judgement.roles.length,
      admittingStrangers: judgement.roles.filter((r) => verdictOf(r) === 'admits strangers').length,
      unreadable: judgement.unreadable.length,
      byCondition: byCondition(judgement),
    },
  };
}

/** 2 when a role could not be read (the scan is incomplete), 1 when a role admits strangers (or may), else 0. */
export function accountExitCode(judgement: AccountJudgement): 0 | 1 | 2 {
  if (judgement.unreadable.length > 0) return 2;
  return judgement.roles.some((r) => r.admitted.length > 0) ? 1 : 0;
}

/** The numbers: roles listed, trusting GitHub, admitting strangers and by which condition, unreadable. */
export function accountSummaryLine(judgement: AccountJudgement): string {
  const { summary } = accountJson(judgement);
  const doors = Object.entries(summary.byCondition).map(([door, n]) => `${door}: ${n}`);
  const unknown = judgement.roles.filter((r) => verdictOf(r) === 'unknown').length;
  return (
    `Account: ${summary.listed} role(s) listed, ${summary.trustingGitHub} trust GitHub, ${summary.admittingStrangers} admit strangers${doors.length > 0 ? ` (${doors.join(', ')})` : ''}` +
    `${unknown > 0 ? `, ${unknown} UNKNOWN` : ''}, ${summary.unreadable} unreadable.`
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function verdictText(role: JudgedRole, org: string | undefined): string {
  const verdict = verdictOf(role);
  if (verdict === 'admits strangers') return `ADMITS ${role.admitted.filter((s) => !s.unresolved).length} kind(s) of stranger`;
  if (verdict === 'unknown') return 'UNKNOWN: may admit strangers';
  return role.ours.length > 0 ? `only ${org}'s repositories (--org ${org})` : `no stranger (${role.tried} tried)`;
}

/** For a person: every role that trusts GitHub (and every unreadable one), then the strangers, then the counts. */
export function accountText(found: AccountJudgement): string {
  // Values from the account (sub patterns, names) stay on one line, so no printed line is a workflow command.
  const judgement = printable(found);
  const out: string[] = [];
  const rows = judgement.roles.map((role) => [role.arn, role.reach, verdictText(role, judgement.org)]);
  for (const u of judgement.unreadable) rows.push([u.arn, 'UNKNOWN', `UNREADABLE: ${u.message}`]);
  if (rows.length > 0) out.push(`Roles that trust GitHub's OIDC provider${judgement.unreadable.length > 0 ? ', and roles whose trust policy cannot be read' : ''}:`, table(['ROLE', 'WHO GETS IN', 'VERDICT'], rows));
  else out.push(`No role of the ${judgement.listed} listed trusts GitHub's OIDC provider.`);
  const admitted = judgement.roles.flatMap((r) => r.admitted);
  if (admitted.length > 0) {
    out.push('', "Strangers: tokens of repositories that are not the role's, admitted");
    out.push(table(['ROLE', 'SUB', 'WHY'], admitted.map((s) => [s.role, String(s.stranger.claims.sub), why(s)])));
  }
  if (judgement.assumed.length > 0) out.push('', 'Assumed:', ...judgement.assumed.map((a) => `  - ${a}`));
  out.push('', accountSummaryLine(judgement));
  return out.join('\n');
}

/** One `::error` per role that admits strangers (its first stranger and why) and per unreadable role. */
export function accountAnnotations(found: AccountJudgement): string[] {
  const judgement = printable(found);
  const lines = judgement.roles
    .filter((r) => r.admitted.length > 0)
    .map((r) => `::error::${escapeData(`${r.arn} admits ${r.admitted.length} kind(s) of stranger: ${why(r.admitted[0]!)}`)}`);
  for (const u of judgement.unreadable) lines.push(`::error::${escapeData(`${u.arn}: ${u.message}`)}`);
  return lines;
}

const cell = markdownText;

/** The job summary: the counts, then each role that admits strangers or could not be read. */
export function accountSummary(found: AccountJudgement): string {
  const judgement = printable(found);
  const out = ['## Trust check: every role of the account', '', accountSummaryLine(judgement), ''];
  const flagged = judgement.roles.filter((r) => r.admitted.length > 0);
  if (flagged.length + judgement.unreadable.length > 0) {
    out.push('| Role | Who gets in | Why |', '| --- | --- | --- |');
    for (const r of flagged) out.push(`| <code>${cell(r.arn)}</code> | ${cell(r.reach)} | ${cell(why(r.admitted[0]!))} |`);
    for (const u of judgement.unreadable) out.push(`| <code>${cell(u.arn)}</code> | unknown | ${cell(u.message)} |`);
  }
  return `${out.join('\n')}\n`;
}
