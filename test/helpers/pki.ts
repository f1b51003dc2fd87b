/**
 * A throw-away PKI for tests, made with the real `openssl` CLI: roots, intermediates and leaves with the
 * extensions a case needs (including deliberately broken ones). Keys are EC P-256 (fast) unless asked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  name: string;
  certPath: string;
  keyPath: string;
  pem: string;
  keyPem: string;
}

export interface CertSpec {
  /** Subject CN (also the default SAN for leaves). */
  cn: string;
  /** Extra subject RDNs, e.g. '/O=Zscaler Inc./OU=Zscaler Inc.' prepended before CN. */
  subjectPrefix?: string;
  /** Issuer; omitted = self-signed. */
  issuer?: Issued;
  ca?: boolean;
  pathLen?: number;
  /** Mark basicConstraints critical (default true for CAs; Python 3.13 rejects non-critical). */
  bcCritical?: boolean;
  /** DNS names / IPs for subjectAltName; default [cn] for leaves. Empty array = no SAN. */
  dns?: string[];
  ips?: string[];
  /** Days from now; negative = in the past. Defaults: notBefore -1, notAfter +365. */
  notBeforeDays?: number;
  notAfterDays?: number;
  /** Include subject/authority key identifiers (default true). */
  keyIds?: boolean;
  /** Extra raw extension lines in openssl config syntax. */
  extraExt?: string[];
  /** AIA caIssuers URL. */
  caIssuers?: string;
  key?: 'ec' | 'rsa2048' | 'rsa1024';
  /** Signature digest; default sha256. */
  digest?: 'sha256' | 'sha1' | 'sha384';
  /** Omit the extendedKeyUsage serverAuth on leaves. */
  noEku?: boolean;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function isoDate(daysFromNow: number): string {
  const d = new Date(Date.now() + daysFromNow * 86400_000);
  // openssl -not_before/-not_after want YYYYMMDDHHMMSSZ
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export class Pki {
  readonly dir: string;
  private serial = 1000;
  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'certifix-pki-'));
  }

  issue(name: string, spec: CertSpec): Issued {
    const d = this.dir;
    const keyPath = join(d, `${name}.key`);
    const certPath = join(d, `${name}.pem`);
    const key = spec.key ?? 'ec';
    if (key === 'ec') openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], d);
    else
      openssl(
        [
          'genpkey',
          '-algorithm',
          'RSA',
          '-pkeyopt',
          `rsa_keygen_bits:${key === 'rsa1024' ? 1024 : 2048}`,
          '-out',
          keyPath,
        ],
        d,
      );
    const ca = spec.ca ?? false;
    const ext: string[] = [];
    const crit = (spec.bcCritical ?? true) ? 'critical,' : '';
    ext.push(
      `basicConstraints=${crit}CA:${ca ? 'TRUE' : 'FALSE'}${ca && spec.pathLen !== undefined ? `,pathlen:${spec.pathLen}` : ''}`,
    );
    if (ca) ext.push('keyUsage=critical,keyCertSign,cRLSign');
    else {
      ext.push('keyUsage=critical,digitalSignature,keyEncipherment');
      if (!spec.noEku) ext.push('extendedKeyUsage=serverAuth');
    }
    if (spec.keyIds ?? true) {
      ext.push('subjectKeyIdentifier=hash');
      if (spec.issuer) ext.push('authorityKeyIdentifier=keyid:always');
    } else {
      // `openssl ca` in 3.0 adds both by default; say `none` explicitly.
      ext.push('subjectKeyIdentifier=none', 'authorityKeyIdentifier=none');
    }
    const sans = [
      ...(spec.dns ?? (ca ? [] : [spec.cn])).map((n) => `DNS:${n}`),
      ...(spec.ips ?? []).map((i) => `IP:${i}`),
    ];
    if (sans.length) ext.push(`subjectAltName=${sans.join(',')}`);
    if (spec.caIssuers) ext.push(`authorityInfoAccess=caIssuers;URI:${spec.caIssuers}`);
    ext.push(...(spec.extraExt ?? []));
    const extFile = join(d, `${name}.ext`);
    writeFileSync(extFile, `[v3]\n${ext.join('\n')}\n`);
    const csr = join(d, `${name}.csr`);
    openssl(
      ['req', '-new', '-key', keyPath, '-subj', `${spec.subjectPrefix ?? ''}/CN=${spec.cn}`, '-out', csr],
      d,
    );
    const signer = spec.issuer;
    // `openssl ca` (not `x509 -req`) because OpenSSL 3.0 can only back-date validity there.
    this.serial++;
    const db = join(d, `${name}.db`);
    writeFileSync(db, '');
    writeFileSync(`${db}.attr`, 'unique_subject = no\n');
    writeFileSync(join(d, `${name}.serial`), `${this.serial.toString(16).padStart(4, '0')}\n`);
    const conf = join(d, `${name}.cnf`);
    writeFileSync(
      conf,
      [
        '[ca]',
        'default_ca = t',
        '[t]',
        `database = ${db}`,
        `serial = ${join(d, `${name}.serial`)}`,
        `new_certs_dir = ${d}`,
        'policy = p',
        'email_in_dn = no',
        '[p]',
        'commonName = supplied',
        'countryName = optional',
        'stateOrProvinceName = optional',
        'localityName = optional',
        'organizationName = optional',
        'organizationalUnitName = optional',
      ].join('\n'),
    );
    const args = [
      'ca',
      '-batch',
      '-notext',
      '-config',
      conf,
      '-in',
      csr,
      '-out',
      certPath,
      '-md',
      spec.digest ?? 'sha256',
      '-extfile',
      extFile,
      '-extensions',
      'v3',
      '-preserveDN',
      '-startdate',
      isoDate(spec.notBeforeDays ?? -1),
      '-enddate',
      isoDate(spec.notAfterDays ?? 365),
    ];
    if (signer) openssl([...args, '-cert', signer.certPath, '-keyfile', signer.keyPath], d);
    else openssl([...args, '-selfsign', '-keyfile', keyPath], d);
    return {
      name,
      certPath,
      keyPath,
      pem: readFileSync(certPath, 'utf8'),
      keyPem: readFileSync(keyPath, 'utf8'),
    };
  }

  root(name: string, cn: string, extra: Partial<CertSpec> = {}): Issued {
    return this.issue(name, { cn, ca: true, ...extra });
  }
  intermediate(name: string, cn: string, issuer: Issued, extra: Partial<CertSpec> = {}): Issued {
    return this.issue(name, { cn, ca: true, issuer, ...extra });
  }
  leaf(name: string, cn: string, issuer: Issued, extra: Partial<CertSpec> = {}): Issued {
    return this.issue(name, { cn, issuer, ...extra });
  }

  /** Write a PEM file concatenating the given certificates. */
  bundle(name: string, certs: Issued[]): string {
    const p = join(this.dir, `${name}.bundle.pem`);
    writeFileSync(p, certs.map((c) => c.pem).join(''));
    return p;
  }
}
