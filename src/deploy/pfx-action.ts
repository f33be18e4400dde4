import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { childEnv } from '../child/child-env.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

/**
 * PKCS#12 export to `live/<name>/cert.pfx`, made by the `openssl` binary: OpenSSL 3's defaults are
 * exactly the modern profile (AES-256-CBC, PBKDF2, SHA-256 MAC), `-legacy` gives 3DES for old
 * Windows, and no JavaScript library writes the modern profile with a SHA-256 MAC. The
 * passphrase goes to openssl on its stdin — not argv (any user can read that), not its
 * environment (the allow-list keeps secrets out of every child's). openssl writes the file to
 * its stdout, into a file certfleet created 0600 itself, so it is never readable by others,
 * not even before a chmod; the file is swapped in by rename.
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
    const args = ['pkcs12', '-export', '-in', event.paths.fullchain, '-inkey', event.paths.privkey, '-name', event.name, '-passout', 'stdin', ...(this.legacy ? ['-legacy'] : [])];
    try {
      const out = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await run(this.openssl, args, this.passphrase, out.fd, this.timeoutMs, ctx.signal);
        await out.sync();
      } finally {
        await out.close();
      }
      await fs.rename(tmp, path.join(dir, 'cert.pfx'));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err instanceof CertfleetError ? err : new CertfleetError('DEPLOY_FAILED', `pfx ${target}: ${errorMessage(err)}`);
    }
  }
}

function run(cmd: string, args: string[], passphrase: string, stdout: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: childEnv(), stdio: ['pipe', stdout, 'pipe'], signal, timeout: timeoutMs });
    let stderr = '';
    // Both are pipes (stdio above); the types cannot tell once one entry is a descriptor.
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    // openssl may exit before reading stdin (a bad key file): its exit code is the error, not EPIPE.
    child.stdin!.on('error', () => {});
    child.stdin!.end(`${passphrase}\n`);
    child.on('error', (err: NodeJS.ErrnoException) => reject(new CertfleetError('DEPLOY_FAILED', `pfx: cannot run ${cmd}: ${err.code ?? err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CertfleetError('DEPLOY_FAILED', `pfx: openssl pkcs12 exited with ${code}: ${stderr.trim().split('\n')[0] ?? ''}`))));
  });
}
