// The main step: inputs → token → STS → mask → export → outputs → summary. Nothing is exported unless
// every part succeeded; a failure ends in one ::error:: that says why and what to change.
import * as core from '@actions/core';
import { parseConfig, type Config } from './config.ts';
import { diagnose, render } from './diagnose.ts';
import { exchange, sessionTags, type Via } from './exchange.ts';
import { CREDENTIAL_VARIABLES, planExport } from './export.ts';
import { createAgents } from './http.ts';
import { DEFAULT_POLICY, type RetryEvent } from './retry.ts';
import { STATE } from './state.ts';
import { createStsClient } from './sts.ts';
import { failureSummary, successSummary } from './summary.ts';
import { createTokenSource, type TokenSource } from './token.ts';

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(error));
}

function logRetry({ error, attempt, delayMs }: RetryEvent): void {
  core.info(`Attempt ${attempt} failed (${describe(error)}); retrying in ${delayMs} ms`);
}

async function run(): Promise<void> {
  let config: Config | undefined;
  let tokens: TokenSource | undefined;
  try {
    const parsed = parseConfig((name) => core.getInput(name), process.env);
    config = parsed.config;
    for (const warning of parsed.warnings) core.warning(warning);

    if (config.unsetCurrentCredentials) {
      for (const name of CREDENTIAL_VARIABLES) core.exportVariable(name, '');
    }

    const agents = createAgents({ url: config.proxy, noProxy: config.noProxy });
    tokens = createTokenSource({ audience: config.audience, file: config.tokenFile, env: process.env, agents });
    const via: Via = config.roleChaining ? { kind: 'chaining', tags: config.skipSessionTagging ? [] : sessionTags(process.env) } : { kind: 'web-identity', tokens };
    const client = createStsClient({ region: config.region, endpoint: config.stsEndpoint, agents, signWithEnvironmentCredentials: config.roleChaining });
    const roleArn = config.roleArn ?? '';
    const result = await exchange({
      request: {
        roleArn,
        sessionName: config.sessionName,
        durationSeconds: config.durationSeconds,
        policy: config.inlineSessionPolicy,
        policyArns: config.managedSessionPolicies,
      },
      client,
      via,
      allowedAccountIds: config.allowedAccountIds,
      policy: { ...DEFAULT_POLICY, maxAttempts: config.maxAttempts },
      onRetry: logRetry,
    });
    client.destroy();

    const credentials = result.value;
    const plan = planExport(credentials, config);
    for (const secret of plan.secrets) core.setSecret(secret);
    for (const [name, value] of Object.entries(plan.env)) core.exportVariable(name, value);
    for (const [name, value] of Object.entries(plan.outputs)) core.setOutput(name, value);
    core.saveState(STATE.exported, JSON.stringify(Object.keys(plan.env).filter((name) => (CREDENTIAL_VARIABLES as readonly string[]).includes(name))));

    core.info(`Assumed ${credentials.arn}, valid until ${credentials.expiration.toISOString()} (${result.attempts} STS ${result.attempts === 1 ? 'attempt' : 'attempts'})`);
    await writeSummary(
      successSummary({
        assumed: [{ profile: undefined, roleArn, accountId: credentials.accountId, expiration: credentials.expiration }],
        sessionName: config.sessionName,
        claims: tokens.last?.claims,
        attempts: result.attempts,
        maskAccountId: config.maskAccountId,
      }),
    );
  } catch (error) {
    const diagnosis = diagnose(error, {
      roleArn: config?.roleArn,
      audience: config?.audience ?? 'sts.amazonaws.com',
      durationSeconds: config?.durationSeconds ?? 3600,
      roleChaining: config?.roleChaining ?? false,
      claims: tokens?.last?.claims,
      now: Date.now(),
    });
    core.setFailed(render(diagnosis));
    await writeSummary(failureSummary(diagnosis, tokens?.last?.claims));
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describe(error)}`);
  }
}

await run();
