// The credential helper behind each profile's credential_process. Every AWS CLI call, Terraform provider
// and SDK client in later steps runs it, so its common case, a cache hit, loads nothing but fs and
// prints the cached JSON. Only a miss loads the SDK (refresh.ts). stdout carries the credentials JSON
// and nothing else; failures are one line on stderr.
import path from 'node:path';
import { readPrivateFile } from './files.ts';
import { helperPaths, isFresh } from './profiles.ts';

const [settingsFile = '', profile = ''] = process.argv.slice(2);
try {
  const paths = helperPaths(path.dirname(settingsFile), profile);
  const cached = readPrivateFile(paths.cache);
  if (isFresh(cached, Date.now())) {
    process.stdout.write(cached);
  } else {
    const { refresh } = await import('./refresh.ts');
    process.stdout.write(await refresh(settingsFile, profile, paths, cached));
  }
} catch (error) {
  process.stderr.write(`oidc-aws-credentials (profile ${profile}): ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exitCode = 1;
}
