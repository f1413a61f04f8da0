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
  /** Account IDs to show as *** (mask-aws-account-id): every one the step learned, not only each row's own. */
  hidden: string[];
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function longestBackticks(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

// What the summary quotes (claims such as ref or a custom sub, STS's messages, inputs) may hold Markdown
// or HTML (a branch may be named x`<img/src=//host/p>`): it is shown as text, never rendered.

/** A table cell's code span that its value cannot close: fenced by more backticks than any run it holds. */
function code(value: string): string {
  const text = cell(value);
  const fence = '`'.repeat(longestBackticks(text) + 1);
  const pad = /^`|`$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** One line of text with every character Markdown or HTML would act on escaped. */
function plain(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>&|~!#]/g, '\\$&');
}

function hideAccounts(text: string, hidden: string[]): string {
  return hidden.reduce((out, accountId) => out.split(accountId).join('***'), text);
}

function claimRows(claims: Claims | undefined): string[] {
  if (!claims) return [];
  return SUMMARY_CLAIMS.filter((name) => claims[name] !== undefined).map((name) => {
    const value = claims[name];
    return `| \`${name}\` | ${code(Array.isArray(value) ? value.join(', ') : String(value))} |`;
  });
}

export function successSummary(report: SuccessReport): string {
  const lines = ['### AWS credentials', '', '| Identity | Role | Account | Expires |', '| --- | --- | --- | --- |'];
  for (const a of report.assumed) {
    const who = a.profile ? `profile ${code(a.profile)}` : 'environment';
    const expires = a.expiration === 'refreshed' ? 'refreshed on use' : a.expiration ? a.expiration.toISOString() : '—';
    lines.push(`| ${who} | ${code(hideAccounts(a.roleArn, report.hidden))} | ${hideAccounts(a.accountId, report.hidden)} | ${expires} |`);
  }
  lines.push('', `Session name ${code(report.sessionName)}; ${report.attempts} STS ${report.attempts === 1 ? 'attempt' : 'attempts'}.`);
  const rows = claimRows(report.claims);
  if (rows.length > 0) lines.push('', '| Token claim | Value |', '| --- | --- |', ...rows);
  return `${lines.join('\n')}\n`;
}

/** `hidden`: account IDs to show as *** (the runner masks the log, but not the job summary). */
export function failureSummary(diagnosis: Diagnosis, claims: Claims | undefined, hidden: string[] = []): string {
  const lines = ['### AWS credentials: failed', '', `**${plain(diagnosis.headline)}**`, ''];
  // A fence longer than any run of backticks in the details, which no line of them can close.
  const fence = '`'.repeat(Math.max(3, longestBackticks(diagnosis.details.join('\n')) + 1));
  if (diagnosis.details.length > 0) lines.push(`${fence}text`, ...diagnosis.details, fence, '');
  const rows = claimRows(claims);
  if (rows.length > 0) lines.push('| Token claim | Value |', '| --- | --- |', ...rows);
  return hideAccounts(`${lines.join('\n')}\n`, hidden);
}
