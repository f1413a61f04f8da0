// What a successful step hands to the rest of the job, as a plan: what to mask, which environment
// variables and outputs to set. main applies it; masking always comes first.
import type { Config } from './config.ts';
import type { Credentials } from './sts.ts';

export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

export interface ExportPlan {
  secrets: string[];
  env: Record<string, string>;
  outputs: Record<string, string>;
}

type ExportSettings = Pick<Config, 'region' | 'maskAccountId' | 'outputCredentials' | 'outputEnvCredentials'>;

export function planExport(credentials: Credentials, settings: ExportSettings): ExportPlan {
  const secrets = [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken];
  if (settings.maskAccountId) secrets.push(credentials.accountId);

  const env: Record<string, string> = { AWS_REGION: settings.region, AWS_DEFAULT_REGION: settings.region };
  if (settings.outputEnvCredentials) {
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    });
  }

  const outputs: Record<string, string> = {
    'aws-account-id': credentials.accountId,
    'authenticated-arn': credentials.arn,
    'aws-expiration': credentials.expiration.toISOString(),
  };
  if (settings.outputCredentials) {
    Object.assign(outputs, {
      'aws-access-key-id': credentials.accessKeyId,
      'aws-secret-access-key': credentials.secretAccessKey,
      'aws-session-token': credentials.sessionToken,
    });
  }
  return { secrets, env, outputs };
}
