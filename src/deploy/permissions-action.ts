import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';
import { resolveGroup, resolveUser } from './ids.js';

export interface PermissionsOptions { filesMode?: number; dirsMode?: number; user?: string; group?: string }

/** What a run changed: the tests count these, and a second run on an unchanged tree must do none. */
export interface PermissionChanges { chmod: string[]; chown: string[] }

/**
 * Modes and owners of one certificate's files (every version in `archive/<name>/`) and of the
 * directories a reader passes through (store root, `live/`, `archive/`, the version
 * directories). Stat first, change only what differs; symlinks are never followed and never
 * changed, and a broken one is skipped. Defaults leave modes alone (keys stay 0600).
 */
export class PermissionsAction implements DeployAction {
  readonly kind = 'permissions';
  readonly describe: string;
  lastChanges: PermissionChanges = { chmod: [], chown: [] };

  constructor(private readonly opts: PermissionsOptions, readonly timeoutMs: number, readonly required: boolean) {
    this.describe = `permissions ${[opts.filesMode?.toString(8), opts.dirsMode?.toString(8), opts.user, opts.group].filter(Boolean).join(' ')}`;
  }

  async run(event: CertificateEvent): Promise<void> {
    const uid = this.opts.user === undefined ? undefined : resolveUser(this.opts.user);
    const gid = this.opts.group === undefined ? undefined : resolveGroup(this.opts.group);
    const root = event.storeRoot;
    const archive = path.join(root, 'archive', event.name);
    const versions = path.join(root, 'live', '.versions', event.name);
    const dirs = [root, path.join(root, 'live'), path.join(root, 'archive'), path.join(root, 'live', '.versions'), versions, archive];
    for (const v of await fs.readdir(versions).catch(() => [])) dirs.push(path.join(versions, v));
    const files = (await fs.readdir(archive).catch(() => [])).map((f) => path.join(archive, f));
    const changes: PermissionChanges = { chmod: [], chown: [] };
    for (const d of dirs) await this.apply(d, 'dir', this.opts.dirsMode, uid, gid, changes);
    for (const f of files) await this.apply(f, 'file', this.opts.filesMode, uid, gid, changes);
    this.lastChanges = changes;
  }

  private async apply(p: string, kind: 'dir' | 'file', mode: number | undefined, uid: number | undefined, gid: number | undefined, changes: PermissionChanges): Promise<void> {
    let st;
    try {
      st = await fs.lstat(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: cannot stat ${p}: ${errorMessage(err)}`);
    }
    // Symlinks (and anything that is not what we expect) are left alone: chmod would follow them.
    if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) return;
    try {
      if (mode !== undefined && (st.mode & 0o7777) !== mode) {
        await fs.chmod(p, mode);
        changes.chmod.push(p);
      }
      if ((uid !== undefined && st.uid !== uid) || (gid !== undefined && st.gid !== gid)) {
        await fs.lchown(p, uid ?? st.uid, gid ?? st.gid);
        changes.chown.push(p);
      }
    } catch (err) {
      throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: ${p}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
  }
}
