import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  apiserverCert: string;
  apiserverKey: string;
  /** ServiceAccount token signing key (private) and its public half. */
  saKey: string;
  saPub: string;
  /** The apiserver's `--token-auth-file`. */
  tokensFile: string;
  adminToken: string;
  controllerManagerToken: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/**
 * Creates a CA, an apiserver serving certificate (IP SAN 127.0.0.1: Node.js
 * matches IP addresses only against IP SANs), the ServiceAccount signing key
 * pair and a static token file with two system:masters users.
 */
export async function generatePki(dir: string): Promise<Pki> {
  const ext = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const caExt = ext(
    'ca.ext',
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\n',
  );
  const serverExt = ext(
    'apiserver.ext',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  await openssl(dir, ['genrsa', '-out', 'ca.key', '2048']);
  await openssl(dir, [
    'req',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    '/CN=stapel-test-cluster-ca',
    '-out',
    'ca.csr',
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'ca.csr',
    '-signkey',
    'ca.key',
    '-sha256',
    '-days',
    '3650',
    '-out',
    'ca.crt',
    '-extfile',
    caExt,
  ]);
  await openssl(dir, ['genrsa', '-out', 'apiserver.key', '2048']);
  await openssl(dir, [
    'req',
    '-new',
    '-key',
    'apiserver.key',
    '-subj',
    '/CN=kube-apiserver',
    '-out',
    'apiserver.csr',
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-sha256',
    '-days',
    '3650',
    '-out',
    'apiserver.crt',
    '-extfile',
    serverExt,
  ]);
  await openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  await openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);

  const adminToken = randomBytes(32).toString('hex');
  const controllerManagerToken = randomBytes(32).toString('hex');
  const tokensFile = join(dir, 'tokens.csv');
  writeFileSync(
    tokensFile,
    `${adminToken},admin,admin-uid,system:masters\n` +
      `${controllerManagerToken},system:kube-controller-manager,kcm-uid,system:masters\n`,
    { mode: 0o600 },
  );
  return {
    caCert: join(dir, 'ca.crt'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
    tokensFile,
    adminToken,
    controllerManagerToken,
  };
}
