// The stand-ins' TLS: a throwaway certificate authority made at run time (once per process) and one server
// certificate it signs for 127.0.0.1, localhost and STS's own host names (for clients that reach the STS emulator
// by those names, through the proxy stand-in), which every stand-in serves. Processes spawned for a
// job trust the CA as a test certificate would be trusted: Node through NODE_EXTRA_CA_CERTS, the AWS CLI
// and botocore (which do not read it) through AWS_CA_BUNDLE. This process trusts it too, so that the
// clients tests make in it (and the STS emulator fetching the issuer's keys) reach the stand-ins.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';

export interface StandinTls {
  /** The CA certificate, PEM. */
  ca: string;
  /** Key and certificate of the stand-ins' servers, PEM. */
  key: string;
  cert: string;
  /** What a job's processes need to trust the CA. */
  env: { NODE_EXTRA_CA_CERTS: string; AWS_CA_BUNDLE: string };
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

// The commercial partition's regions. A wildcard covers one label only (*.amazonaws.com names
// sts.amazonaws.com but not sts.eu-west-1.amazonaws.com), so each regional endpoint is named.
const REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1',
  'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
];

/** STS's global endpoint and its regional ones: the names the server certificate carries besides the loopback's. */
export const STS_HOSTS: readonly string[] = ['sts.amazonaws.com', ...REGIONS.map((r) => `sts.${r}.amazonaws.com`)];

async function make(): Promise<StandinTls> {
  const { subtle } = globalThis.crypto;
  const id = randomBytes(8).toString('hex');
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 7 * 86_400_000);
  const caKeys = await subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${id}`,
    // Named uniquely: jest loads this module once per test file, so a process may trust several of these
    // CAs, and a verifier picks the issuer of a certificate by name.
    name: `CN=oidc-aws-credentials stand-in CA ${id}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const serverKeys = await subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
        ...STS_HOSTS.map((value) => ({ type: 'dns' as const, value })),
      ]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const caPem = ca.toString('pem');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'standin-ca-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, caPem);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), caPem]);
  return {
    ca: caPem,
    key: x509.PemConverter.encode(await subtle.exportKey('pkcs8', serverKeys.privateKey), 'PRIVATE KEY'),
    cert: server.toString('pem'),
    env: { NODE_EXTRA_CA_CERTS: caFile, AWS_CA_BUNDLE: caFile },
  };
}

let made: Promise<StandinTls> | undefined;

/** The CA and the servers' certificate, made on first use. */
export function standinTls(): Promise<StandinTls> {
  made ??= make();
  return made;
}
