// Where the OIDC token goes: the one STS endpoint the step chooses, for itself and for the credential
// helper. Pure, and light: main reads it before the SDK is loaded.

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The sts-endpoint input, else the variables the SDK reads (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL,
 * unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), else undefined: the region's own endpoint. Never an
 * endpoint_url or services section of a config file: AWS_CONFIG_FILE may be the one an earlier step of
 * this action wrote, and the credential helper runs with whatever profile and variables its client has.
 * So the step decides once, and hands its choice to the helper in its settings.
 */
export function chosenEndpoint(input: string | undefined, env: Env): string | undefined {
  if (input) return input;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined;
}
