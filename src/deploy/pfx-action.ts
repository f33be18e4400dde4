import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

/**
 * PKCS#12 export to `live/<name>/cert.pfx`, made by the `openssl` binary: OpenSSL 3's defaults are
 * exactly the modern profile (AES-256-CBC, PBKDF2, SHA-256 MAC), `-legacy` gives 3DES for old
 * Windows, and no JavaScript library writes the modern profile with a SHA-256 MAC. The
 * passphrase goes through an environment variable, never argv. The file is swapped in by rename.
 */
export class PfxAction implements DeployAction {
  readonly kind = 'pfx';
  readonly describe = 'pfx';

  constructor(private readonly passphrase: string, private readonly legacy: boolean, readonly timeoutMs: number, readonly required: boolean, private readonly openssl = 'openssl') {}

  static pathFor(event: CertificateEvent): string {
    return path.join(event.paths.liveDir, 'cert.pfx');
  }

  async run(event: CertificateEvent, ctx: { signal: AbortSignal }): Promise<void> {
    // live/<name> is a symlink to the version directory: write the file there, next to the links.
    const target = PfxAction.pathFor(event);
    const dir = await fs.realpath(event.paths.liveDir);
    const tmp = path.join(dir, `.cert.pfx.${randomBytes(6).toString('hex')}.tmp`);
    const args = ['pkcs12', '-export', '-in', event.paths.fullchain, '-inkey', event.paths.privkey, '-name', event.name, '-out', tmp, '-passout', 'env:CERTFLEET_PFX_PASSPHRASE', ...(this.legacy ? ['-legacy'] : [])];
    try {
      await run(this.openssl, args, { ...process.env, CERTFLEET_PFX_PASSPHRASE: this.passphrase }, this.timeoutMs, ctx.signal);
      await fs.chmod(tmp, 0o600);
      await fs.rename(tmp, path.join(dir, 'cert.pfx'));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err instanceof CertfleetError ? err : new CertfleetError('DEPLOY_FAILED', `pfx ${target}: ${(err as Error).message}`);
    }
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], signal, timeout: timeoutMs });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', (err: NodeJS.ErrnoException) => reject(new CertfleetError('DEPLOY_FAILED', `pfx: cannot run ${cmd}: ${err.code ?? err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CertfleetError('DEPLOY_FAILED', `pfx: openssl pkcs12 exited with ${code}: ${stderr.trim().split('\n')[0] ?? ''}`))));
  });
}
