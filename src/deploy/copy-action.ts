import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';
import { resolveGroup, resolveUser, type OwnerId } from './ids.js';

export interface CopyOptions {
  fullchain?: string;
  privkey?: string;
  cert?: string;
  chain?: string;
  /** Certificate chain and key in one file, for HAProxy. */
  combined?: string;
  mode: number;
  user?: OwnerId;
  group?: OwnerId;
}

/**
 * Writes the event's certificate where a program wants it, each file atomically with its mode and
 * owner. From the PEMs the event carries, not from any directory: it works the same on every host.
 */
export class CopyAction implements DeployAction {
  readonly kind = 'copy';
  readonly describe: string;

  constructor(private readonly opts: CopyOptions, readonly timeoutMs: number, readonly required: boolean) {
    this.describe = `copy to ${[opts.fullchain, opts.privkey, opts.cert, opts.chain, opts.combined].filter(Boolean).join(', ')}`;
  }

  async run(event: CertificateEvent, ctx: { signal: AbortSignal }): Promise<void> {
    const { pem } = event.certificate;
    const targets: [string | undefined, string][] = [
      [this.opts.fullchain, pem.fullchain],
      [this.opts.privkey, pem.privkey],
      [this.opts.cert, pem.cert],
      [this.opts.chain, pem.chain],
      [this.opts.combined, `${pem.fullchain.trimEnd()}\n${pem.privkey}`],
    ];
    const uid = this.opts.user === undefined ? -1 : resolveUser(this.opts.user);
    const gid = this.opts.group === undefined ? -1 : resolveGroup(this.opts.group);
    for (const [target, content] of targets) {
      if (!target) continue;
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
        await writeFileAtomic(target, content, this.opts.mode, ctx.signal);
        if (uid !== -1 || gid !== -1) await fs.lchown(target, uid, gid);
      } catch (err) {
        throw new CertfleetError('DEPLOY_FAILED', `copy to ${target}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
      }
    }
  }
}
