import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';

export interface TestCertificates {
  /** PEM of the throwaway CA that signed the server certificate; trust this, not the leaf. */
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
}

const tenYears = 10 * 365 * 24 * 3600 * 1000;

/**
 * Makes a test CA and a server certificate for 127.0.0.1/localhost/::1 signed by it. EC keys keep
 * this in the tens of milliseconds, so every emulator gets fresh keys made at test time.
 */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfterDate = new Date(Date.now() + tenYears);
  const ca = await generate([{ name: 'commonName', value: 'Cadence Microsoft Emulator Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, serverKeyPem: server.private, serverCertPem: server.cert };
}

/** The CAs a client must trust to talk to the emulator: Node's bundled roots plus the test CA. */
export function trustedCas(caPem: string): string[] {
  return [...tls.rootCertificates, caPem];
}

/**
 * Writes the system bundle plus the test CA into one PEM file. NODE_EXTRA_CA_CERTS takes a single
 * file and this environment already points it at the system bundle, so a child process needs both.
 */
export async function writeCaBundle(dir: string, caPem: string, systemBundlePath?: string): Promise<string> {
  let system = '';
  if (systemBundlePath) {
    system = await readFile(systemBundlePath, 'utf8').catch(() => '');
  }
  const path = join(dir, 'ca-bundle.pem');
  const parts = [system.trim(), caPem.trim()].filter((p) => p.length > 0);
  await writeFile(path, `${parts.join('\n')}\n`, { mode: 0o600 });
  return path;
}
