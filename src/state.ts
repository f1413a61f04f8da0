// Names of the state main saves for post (GITHUB_STATE → STATE_*).
export const STATE = {
  /** Environment variables main exported that hold credentials. */
  exported: 'exported',
  /** Files and folders written under RUNNER_TEMP, removed by post. */
  files: 'files',
  /** AWS_CONFIG_FILE as the job had it before main pointed it at the profiles (the default path if unset). */
  configFile: 'configFile',
  /** AWS_SHARED_CREDENTIALS_FILE as the job had it, when main pointed it at a copy for aws-profile. */
  credentialsFile: 'credentialsFile',
  /** AWS_PROFILE as the job had it (JSON; null: unset), when main exported aws-profile as AWS_PROFILE. */
  profile: 'profile',
} as const;
