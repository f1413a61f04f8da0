// Names of the state main saves for post (GITHUB_STATE → STATE_*).
export const STATE = {
  /** Environment variables main exported that hold credentials. */
  exported: 'exported',
  /** Files and folders written under RUNNER_TEMP, removed by post. */
  files: 'files',
} as const;
