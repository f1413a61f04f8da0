// What AWS accepts as a role ARN, a region, a session name, an external ID, and what every client can
// hold as a profile name: shared by the inputs (config.ts) and the profiles file (profiles-file.ts).

// AWS's partitions: commercial, China, GovCloud, the ISO clouds and the European Sovereign Cloud.
const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
export const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):role\\/[\\w+=,.@/-]{1,512}$`);
export const POLICY_ARN = new RegExp(`^arn:${PARTITION}:iam::(?:\\d{12}|aws):policy\\/[\\w+=,.@/-]{1,512}$`);
// Every partition's names: us-east-1, cn-northwest-1, us-gov-west-1, us-isob-east-1, eu-isoe-west-1,
// us-isof-south-1, eusc-de-east-1. A prefix of two to four letters leaves room for regions yet to come.
export const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
/** What STS accepts as RoleSessionName. */
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const PROFILE_NAME = /^[\w.-]{1,64}$/;
// The JS SDK keeps profiles in plain objects: it refuses a file with a section named __proto__ (and then
// reads no profile at all), and cannot resolve a profile named like another property of every object.
const NOT_A_PROFILE_NAME = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Why `name` cannot be a profile every client reads, or undefined when it can. */
export function badProfileName(name: string): string | undefined {
  if (!PROFILE_NAME.test(name)) return "use letters, digits, '.', '_' or '-' (at most 64)";
  if (NOT_A_PROFILE_NAME.has(name)) return `'${name}' is a property of every JavaScript object, which the JS SDK (CDK, every JS tool) cannot hold as a profile`;
  return undefined;
}

/** A session length STS issues (900 to 43200 seconds), or undefined. */
export function durationOf(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 900 && value <= 43200 ? value : undefined;
}

export function accountOf(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}
