import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import { writeFileAtomic } from '../store/file-store.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';
import { resolveGroup, resolveUser } from './ids.js';

export interface CopyOptions {
  fullchain?: string;
  privkey?: string;
  cert?: string;
  chain?: string;
  /** Certificate chain and key in one file, for HAProxy. */
  combined?: string;
  mode: number;
  user?: string;
  group?: string;
}

/** Copies the current files where a program wants them, each written atomically with its mode and owner. */
export class CopyAction implements DeployAction {
  readonly kind = 'copy';
  readonly describe: string;

  constructor(private readonly opts: CopyOptions, readonly timeoutMs: number, readonly required: boolean) {
    this.describe = `copy to ${[opts.fullchain, opts.privkey, opts.cert, opts.chain, opts.combined].filter(Boolean).join(', ')}`;
  }

  async run(event: CertificateEvent): Promise<void> {
    const read = (f: string) => fs.readFile(f, 'utf8');
    const [fullchain, privkey] = await Promise.all([read(event.paths.fullchain), read(event.paths.privkey)]);
    const targets: [string | undefined, () => Promise<string>][] = [
      [this.opts.fullchain, () => Promise.resolve(fullchain)],
      [this.opts.privkey, () => Promise.resolve(privkey)],
      [this.opts.cert, () => read(event.paths.cert)],
      [this.opts.chain, () => read(event.paths.chain)],
      [this.opts.combined, () => Promise.resolve(`${fullchain.trimEnd()}\n${privkey}`)],
    ];
    const uid = this.opts.user === undefined ? -1 : resolveUser(this.opts.user);
    const gid = this.opts.group === undefined ? -1 : resolveGroup(this.opts.group);
    for (const [target, content] of targets) {
      if (!target) continue;
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
        await writeFileAtomic(target, await content(), this.opts.mode);
        if (uid !== -1 || gid !== -1) await fs.lchown(target, uid, gid);
      } catch (err) {
        throw new CertfleetError('DEPLOY_FAILED', `copy to ${target}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
      }
    }
  }
}
