// The job summary, as Markdown. Pure; main writes it.
import type { Diagnosis } from './diagnose.ts';
import type { Claims } from './github/claims.ts';

const SUMMARY_CLAIMS = ['sub', 'aud', 'ref', 'event_name', 'environment', 'job_workflow_ref'] as const;

export interface Assumed {
  /** Profile name, or undefined for the role exported as environment credentials. */
  profile: string | undefined;
  roleArn: string;
  accountId: string;
  /** When the credentials expire; 'refreshed' for a profile the helper renews, undefined when this step does not know (long-term keys, credentials used as they are). */
  expiration: Date | 'refreshed' | undefined;
}

export interface SuccessReport {
  assumed: Assumed[];
  sessionName: string;
  claims: Claims | undefined;
  attempts: number;
  maskAccountId: boolean;
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function hideAccount(text: string, accountId: string, mask: boolean): string {
  return mask ? text.split(accountId).join('***') : text;
}

function claimRows(claims: Claims | undefined): string[] {
  if (!claims) return [];
  return SUMMARY_CLAIMS.filter((name) => claims[name] !== undefined).map((name) => {
    const value = claims[name];
    return `| \`${name}\` | \`${cell(Array.isArray(value) ? value.join(', ') : String(value))}\` |`;
  });
}

export function successSummary(report: SuccessReport): string {
  const lines = ['### AWS credentials', '', '| Identity | Role | Account | Expires |', '| --- | --- | --- | --- |'];
  for (const a of report.assumed) {
    const who = a.profile ? `profile \`${a.profile}\`` : 'environment';
    const expires = a.expiration === 'refreshed' ? 'refreshed on use' : a.expiration ? a.expiration.toISOString() : '—';
    lines.push(`| ${who} | \`${cell(hideAccount(a.roleArn, a.accountId, report.maskAccountId))}\` | ${report.maskAccountId ? '***' : a.accountId} | ${expires} |`);
  }
  lines.push('', `Session name \`${cell(report.sessionName)}\`; ${report.attempts} STS ${report.attempts === 1 ? 'attempt' : 'attempts'}.`);
  const rows = claimRows(report.claims);
  if (rows.length > 0) lines.push('', '| Token claim | Value |', '| --- | --- |', ...rows);
  return `${lines.join('\n')}\n`;
}

/** `hidden`: account IDs to show as *** (the runner masks the log, but not the job summary). */
export function failureSummary(diagnosis: Diagnosis, claims: Claims | undefined, hidden: string[] = []): string {
  const lines = ['### AWS credentials: failed', '', `**${diagnosis.headline}**`, ''];
  if (diagnosis.details.length > 0) lines.push('```text', ...diagnosis.details, '```', '');
  const rows = claimRows(claims);
  if (rows.length > 0) lines.push('| Token claim | Value |', '| --- | --- |', ...rows);
  return hidden.reduce((text, accountId) => hideAccount(text, accountId, true), `${lines.join('\n')}\n`);
}
