// A later step of the job: resolves each named profile the way any SDK-based tool does (fromIni, which
// runs credential_process) and asks STS who it is. Prints {"profile": "arn", …}; a failure prints
// {"profile": "ERROR: message"}. With no profile named, uses the environment's credentials.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromEnv, fromIni } from '@aws-sdk/credential-providers';

const names = process.argv.slice(2);
const result: Record<string, string> = {};
for (const name of names.length > 0 ? names : ['(environment)']) {
  const credentials = name === '(environment)' ? fromEnv() : fromIni({ profile: name, ignoreCache: true });
  const client = new STSClient({ region: process.env.AWS_REGION ?? 'us-east-1', credentials, maxAttempts: 1 });
  try {
    result[name] = (await client.send(new GetCallerIdentityCommand({}))).Arn ?? '';
  } catch (error) {
    result[name] = `ERROR: ${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    client.destroy();
  }
}
console.log(JSON.stringify(result));
