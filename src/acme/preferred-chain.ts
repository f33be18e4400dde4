import { X509Certificate } from 'node:crypto';

/** Splits a PEM bundle into its certificates, in order. */
export function splitPemChain(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? [];
}

/** True when the chain's topmost certificate is issued by (or is) a CA whose common name is `issuerCn`. */
export function chainMatchesIssuer(chainPem: string, issuerCn: string): boolean {
  const certs = splitPemChain(chainPem);
  const top = certs.at(-1);
  if (!top) return false;
  const cert = new X509Certificate(top);
  const cn = (dn: string) => /(?:^|\n)CN=(.*)$/m.exec(dn)?.[1]?.trim();
  return cn(cert.issuer) === issuerCn || cn(cert.subject) === issuerCn;
}
