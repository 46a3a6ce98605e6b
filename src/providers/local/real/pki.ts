import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../core/exec.js';

/** Paths of a run's throwaway PKI: a CA, the API server's serving pair, a client pair, SA keys. */
export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** CN=discobench, O=system:masters: the harness, kube-proxy and CoreDNS authenticate with it */
  clientCert: string;
  clientKey: string;
  saKey: string;
  saPub: string;
}

const openssl = (args: string[]) => run('openssl', args);

/**
 * Generates the PKI with openssl (EC P-256, one day), for this run only: nothing of it is trusted
 * outside the run's kubeconfigs and it is deleted with the run's work dir.
 */
export async function createPki(dir: string, serverIPs: string[], serverNames: string[]): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (f: string) => join(dir, f);
  const pki: Pki = {
    dir, caCert: p('ca.crt'), caKey: p('ca.key'), serverCert: p('apiserver.crt'), serverKey: p('apiserver.key'),
    clientCert: p('admin.crt'), clientKey: p('admin.key'), saKey: p('sa.key'), saPub: p('sa.pub'),
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', pki.caKey, '-out', pki.caCert, '-days', '1', '-subj', '/CN=discobench-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const sign = async (key: string, cert: string, subj: string, ext: string) => {
    const csr = `${cert}.csr`;
    const extFile = `${cert}.ext`;
    writeFileSync(extFile, ext);
    await openssl(['req', '-new', ...ec, '-keyout', key, '-out', csr, '-subj', subj]);
    await openssl(['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', extFile]);
  };
  const san = [...serverIPs.map((ip) => `IP:${ip}`), ...serverNames.map((n) => `DNS:${n}`)].join(',');
  await sign(pki.serverKey, pki.serverCert, '/CN=kube-apiserver', `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  await sign(pki.clientKey, pki.clientCert, '/O=system:masters/CN=discobench', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', pki.saKey]);
  await openssl(['pkey', '-in', pki.saKey, '-pubout', '-out', pki.saPub]);
  return pki;
}

/** A kubeconfig for `server` with the run's CA and client pair (files referenced, not inlined). */
export function kubeconfigText(pki: Pki, server: string, name = 'discobench'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${pki.caCert}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    client-certificate: ${pki.clientCert}`,
    `    client-key: ${pki.clientKey}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}
