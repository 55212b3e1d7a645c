/*
 * The stand-in's serving certificate. Real clients (client-node, kubectl,
 * Backstage's Kubernetes backend) only skip TLS verification when told to,
 * and Paved does not tell them to, so the stand-in serves HTTPS with a
 * self-signed CA certificate that callers hand to their clients as
 * `caData` / `certificate-authority-data`.
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A PEM private key and the PEM certificate that goes with it. */
export interface TlsKeyPair {
  key: string;
  cert: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * A new ECDSA P-256 key and a self-signed certificate for it that is both
 * the CA and the serving certificate: valid for 127.0.0.1 and localhost for
 * about a year.
 */
export async function generateServingCertificate(
  commonName: string,
): Promise<TlsKeyPair> {
  x509.cryptoProvider.set(webcrypto as Crypto);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      // A leading zero bit keeps the serial a positive integer, as RFC 5280 asks.
      .replace(/^./, '1'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + ONE_YEAR_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    cert: certificate.toString('pem'),
  };
}
