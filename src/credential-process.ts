// The credential helper behind each profile's credential_process. Every AWS CLI call, Terraform provider
// and SDK client in later steps runs it, so its common case, a cache hit, loads nothing but fs and
// prints the cached JSON. Only a miss loads the SDK (refresh.ts). stdout carries the credentials JSON
// and nothing else; failures are one line on stderr. It is built as CommonJS: Node starts that faster.
import { writeSync } from 'node:fs';
import path from 'node:path';
import { readPrivateFile } from './files.ts';
import { freshCredentials, helperPaths } from './profiles.ts';

// A plain write to fd 1: creating process.stdout's stream costs a cache hit ~5% more CPU. The JSON is far
// smaller than a pipe's buffer, and clients give their children blocking pipes; should one be full and
// non-blocking anyway, the stream waits for it.
function print(json: string): void {
  try {
    writeSync(1, json);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    process.stdout.write(json);
  }
}

async function main(settingsFile: string, profile: string): Promise<void> {
  const paths = helperPaths(path.dirname(settingsFile), profile);
  const cached = freshCredentials(readPrivateFile(paths.cache), Date.now());
  if (cached) {
    print(cached);
    return;
  }
  const { refresh } = await import('./refresh.ts');
  print(await refresh(settingsFile, profile, paths));
}

const [settingsFile = '', profile = ''] = process.argv.slice(2);
main(settingsFile, profile).catch((error: unknown) => {
  // One line, ended at no "\r" either: clients quote it in their own errors, and the runner would read a
  // line that starts with "::" as a workflow command.
  process.stderr.write(`oidc-aws-credentials (profile ${profile}): ${(error as Error).message.replace(/\s*[\r\n]\s*/g, ' ')}\n`);
  process.exitCode = 1;
});
