// What a successful step hands to the rest of the job, as a plan: what to mask, which environment
// variables and outputs to set. main applies it; masking always comes first. It works from what the
// source returned, never from which source it was.
import type { Config } from './config.ts';
import type { Credentials, Identity } from './sts.ts';

export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

export interface ExportPlan {
  secrets: string[];
  env: Record<string, string>;
  outputs: Record<string, string>;
}

type ExportSettings = Pick<Config, 'region' | 'maskAccountId' | 'outputCredentials' | 'outputEnvCredentials'>;

/** `obtained` without keys: the credentials stay where they are; only whose they are is reported. */
export function planExport(obtained: Credentials | Identity, settings: ExportSettings): ExportPlan {
  const c = 'accessKeyId' in obtained ? obtained : undefined;
  const secrets = c ? [c.accessKeyId, c.secretAccessKey, c.sessionToken].filter((s) => s !== '') : [];
  if (settings.maskAccountId) secrets.push(obtained.accountId);

  const env: Record<string, string> = { AWS_REGION: settings.region, AWS_DEFAULT_REGION: settings.region };
  if (c && settings.outputEnvCredentials) {
    // An IAM user's key has no session token: blank one an earlier step exported, which would not match.
    Object.assign(env, { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_SESSION_TOKEN: c.sessionToken });
  }

  const outputs: Record<string, string> = { 'aws-account-id': obtained.accountId, 'authenticated-arn': obtained.arn };
  if (c?.expiration) outputs['aws-expiration'] = c.expiration.toISOString();
  if (c && settings.outputCredentials) {
    Object.assign(outputs, { 'aws-access-key-id': c.accessKeyId, 'aws-secret-access-key': c.secretAccessKey });
    if (c.sessionToken) outputs['aws-session-token'] = c.sessionToken;
  }
  return { secrets, env, outputs };
}
