import { spawn } from 'node:child_process';
import path from 'node:path';
import { childEnv } from '../child/child-env.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

/**
 * PKCS#12 export to `cert.pfx` beside the live files (`live/<name>/cert.pfx`), made by the
 * `openssl` binary: OpenSSL 3's defaults are exactly the modern profile (AES-256-CBC, PBKDF2,
 * SHA-256 MAC), `-legacy` gives 3DES for old Windows, and no JavaScript library writes the modern
 * profile with a SHA-256 MAC. The passphrase goes to openssl on its stdin — not argv (any user can
 * read that), not its environment (the allow-list keeps secrets out of every child's). openssl
 * writes the (encrypted) file to a pipe; the local certificate directory writes it atomically with
 * mode 0600 (created so, never readable by others, not even before a chmod). Without a passphrase
 * (DNSroboCert allows it) the file is written unencrypted, still 0600.
 */
export class PfxAction implements DeployAction {
  readonly kind = 'pfx';
  readonly describe: string = 'pfx';

  /** `passphrase` undefined: an unencrypted file (the security findings refuse it in production mode). */
  constructor(private readonly passphrase: string | undefined, private readonly legacy: boolean, readonly timeoutMs: number, readonly required: boolean, private readonly openssl = 'openssl') {
    if (passphrase === undefined) this.describe = 'pfx (unencrypted)';
  }

  async run(event: CertificateEvent, ctx: { signal: AbortSignal }): Promise<void> {
    const paths = event.local.paths(event.name);
    // Without a passphrase: key and certificates in plain bags (-keypbe/-certpbe NONE), the MAC under the
    // empty password, which is how a PKCS#12 "without a password" opens (openssl -passin pass:, Windows, Java, Python's None).
    const protection = this.passphrase === undefined ? ['-passout', 'pass:', '-keypbe', 'NONE', '-certpbe', 'NONE'] : ['-passout', 'stdin'];
    const args = ['pkcs12', '-export', '-in', paths.fullchain, '-inkey', paths.privkey, '-name', event.name, ...protection, ...(this.legacy ? ['-legacy'] : [])];
    try {
      const pfx = await run(this.openssl, args, this.passphrase, this.timeoutMs, ctx.signal);
      await event.local.writeDerived(event.name, PFX_FILE, pfx, 0o600, ctx.signal);
    } catch (err) {
      throw err instanceof CertfleetError && err.code === 'DEPLOY_FAILED' ? err : new CertfleetError('DEPLOY_FAILED', `pfx ${path.join(paths.liveDir, PFX_FILE)}: ${errorMessage(err)}`);
    }
  }
}

/** The file name hooks and services find the PFX under, beside the live PEM files. */
export const PFX_FILE = 'cert.pfx';

function run(cmd: string, args: string[], passphrase: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'], signal, timeout: timeoutMs });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    // openssl may exit before reading stdin (a bad key file): its exit code is the error, not EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(passphrase === undefined ? '' : `${passphrase}\n`);
    child.on('error', (err: NodeJS.ErrnoException) => reject(new CertfleetError('DEPLOY_FAILED', `pfx: cannot run ${cmd}: ${err.code ?? err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new CertfleetError('DEPLOY_FAILED', `pfx: openssl pkcs12 exited with ${code}: ${stderr.trim().split('\n')[0] ?? ''}`))));
  });
}
