// The real AWS clients the suite drives, found on this machine: the AWS CLI v2, the AWS CLI v1 and boto3
// (both from `python3`). Nobody here wrote them, so they prove that profiles work for the tools people use.
// PATH may name a v1 `aws` first (pyenv does), so the v2 CLI is whichever `aws` says it is version 2.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Clients {
  /** argv prefix of each client found. */
  awsV2?: string[];
  awsV1?: string[];
  boto3?: string[];
}

const ENV_NAME = 'OIDC_AWS_TEST_CLIENTS';
const PYTHON = process.platform === 'win32' ? 'python' : 'python3';

const says = (argv: string[], pattern: RegExp) => {
  const result = spawnSync(argv[0] ?? '', [...argv.slice(1)], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 && pattern.test(`${result.stdout}${result.stderr}`);
};

function findAwsV2(): string[] | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin'];
  const names = process.platform === 'win32' ? ['aws.exe', 'aws.cmd'] : ['aws'];
  const candidates = [...new Set(dirs.flatMap((d) => names.map((n) => path.join(d, n))))].filter((f) => existsSync(f));
  const found = candidates.find((f) => says([f, '--version'], /^aws-cli\/2\./));
  return found ? [found] : undefined;
}

/** Finds the clients once per `npm test` (globalSetup passes them to the workers in the environment). */
export function findClients(): Clients {
  const known = process.env[ENV_NAME];
  if (known) return JSON.parse(known) as Clients;
  const clients: Clients = {
    awsV2: findAwsV2(),
    awsV1: says([PYTHON, '-m', 'awscli', '--version'], /^aws-cli\/1\./) ? [PYTHON, '-m', 'awscli'] : undefined,
    boto3: says([PYTHON, '-c', 'import boto3'], /^$/) ? [PYTHON] : undefined,
  };
  process.env[ENV_NAME] = JSON.stringify(clients);
  return clients;
}

/** The one line `npm test` prints when clients are missing, or undefined when all are there. */
export function missingClientsNotice(clients: Clients): string | undefined {
  const missing = [
    ...(clients.awsV2 ? [] : ['AWS CLI v2 (apt-get install awscli, or https://aws.amazon.com/cli/)']),
    ...(clients.awsV1 ? [] : ['AWS CLI v1 (python3 -m pip install awscli)']),
    ...(clients.boto3 ? [] : ['boto3 (python3 -m pip install boto3)']),
  ];
  return missing.length > 0 ? `Skipped the real-client tests of: ${missing.join('; ')}.` : undefined;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client as a later step of the job would: the job's environment, no stdin. */
export function run(argv: string[], env: Record<string, string | undefined>, stdin?: (child: import('node:child_process').ChildProcess) => void): Promise<Ran> {
  const child = spawn(argv[0] ?? '', argv.slice(1), { env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  stdin?.(child);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** How many credential helpers for this settings file are running now (Linux's /proc, else ps). */
export function runningHelpers(settings: string): number {
  const isHelper = (args: string) => args.includes('credential-process.cjs') && args.includes(settings);
  if (existsSync('/proc/self/cmdline')) {
    return readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return isHelper(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
        } catch {
          return false;
        }
      }).length;
  }
  const listing = process.platform === 'win32'
    ? spawnSync('powershell', ['-NoProfile', '-Command', 'Get-CimInstance Win32_Process | ForEach-Object CommandLine'], { encoding: 'utf8' })
    : spawnSync('ps', ['-axo', 'args='], { encoding: 'utf8' });
  return listing.stdout.split(/\r?\n/).filter(isHelper).length;
}
