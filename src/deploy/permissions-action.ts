import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../errors.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';
import { resolveGroup, resolveUser, type OwnerId } from './ids.js';

export interface PermissionsOptions { filesMode?: number; dirsMode?: number; user?: OwnerId; group?: OwnerId }

/** What a run changed: the tests count these, and a second run on an unchanged tree must do none. */
export interface PermissionChanges { chmod: string[]; chown: string[] }

/** An open directory of the walk, and the path it stands for (for messages only). */
interface OpenDir { handle: fs.FileHandle; path: string }

/**
 * The directory a descriptor refers to, as a path the kernel resolves through that descriptor:
 * opening `<this>/<name>` is openat(fd, name), which Node does not offer. A directory swapped for
 * a symlink after it was opened cannot redirect what is opened inside it.
 */
const FD_DIR = '/proc/self/fd';

const NOT_THERE = new Set(['ENOENT', 'ELOOP', 'ENOTDIR', 'ENXIO']);

/**
 * Modes and owners of one certificate's files and of the directories a reader passes through,
 * as the local certificate directory lists them (`accessPaths`: for the directory store the
 * store root, `live/`, `archive/`, the version directories and every version's archive files).
 * Every path is opened with O_NOFOLLOW (a symlink is skipped, never followed), each one inside
 * its already-opened parent, and changed with fchmod/fchown on that descriptor: a file or
 * directory swapped for a symlink mid-run cannot make certfleet change anything outside the
 * directory. Stat first, change only what differs. Defaults leave modes alone (keys stay 0600).
 */
export class PermissionsAction implements DeployAction {
  readonly kind = 'permissions';
  readonly describe: string;
  lastChanges: PermissionChanges = { chmod: [], chown: [] };

  constructor(private readonly opts: PermissionsOptions, readonly timeoutMs: number, readonly required: boolean) {
    this.describe = `permissions ${[opts.filesMode?.toString(8), opts.dirsMode?.toString(8), opts.user, opts.group].filter((v) => v !== undefined).join(' ')}`;
  }

  async run(event: CertificateEvent, ctx: { signal: AbortSignal }): Promise<void> {
    const { signal } = ctx;
    const uid = this.opts.user === undefined ? undefined : resolveUser(this.opts.user);
    const gid = this.opts.group === undefined ? undefined : resolveGroup(this.opts.group);
    const changes: PermissionChanges = { chmod: [], chown: [] };
    const { dirs: [top, ...below], files } = await event.local.accessPaths(event.name, signal);
    if (top === undefined) return;
    // Opened directories by the path they stand for: each path is opened inside its parent's descriptor.
    const opened = new Map<string, OpenDir>();
    try {
      const root = await this.open(undefined, top, 'dir', signal);
      if (!root) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: ${top} is not a directory (a symlink is not followed: set store.path to the directory itself)`);
      opened.set(top, root);
      // Without /proc every open below would miss: refuse rather than change nothing or follow paths.
      await fs.stat(`${FD_DIR}/${root.handle.fd}`).catch(() => {
        throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: needs ${FD_DIR} (Linux /proc) to change modes without following a swapped path`);
      });
      for (const d of below) {
        const parent = opened.get(path.dirname(d));
        const dir = parent && await this.open(parent, path.basename(d), 'dir', signal);
        if (dir) opened.set(d, dir);
      }
      for (const d of opened.values()) await this.apply(d, this.opts.dirsMode, uid, gid, changes);
      for (const f of files) {
        const parent = opened.get(path.dirname(f));
        const file = parent && await this.open(parent, path.basename(f), 'file', signal);
        if (!file) continue;
        try {
          await this.apply(file, this.opts.filesMode, uid, gid, changes);
        } finally {
          await file.handle.close();
        }
      }
    } finally {
      await Promise.all([...opened.values()].map((d) => d.handle.close()));
    }
    this.lastChanges = changes;
  }

  /**
   * `name` inside `parent` (or the top directory itself, by its path), without following
   * a symlink; undefined when it is gone, a symlink, or not the kind expected.
   */
  private async open(parent: OpenDir | undefined, name: string, kind: 'dir' | 'file', signal: AbortSignal): Promise<OpenDir | undefined> {
    signal.throwIfAborted();
    const where = parent ? path.join(parent.path, name) : name;
    // O_NONBLOCK: a FIFO swapped in must not block the open.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (kind === 'dir' ? constants.O_DIRECTORY : 0);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(parent ? `${FD_DIR}/${parent.handle.fd}/${name}` : name, flags);
    } catch (err) {
      if (NOT_THERE.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: cannot open ${where}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    const st = await handle.stat();
    // A file with another hard link is also somewhere else, maybe outside the store: not ours to change.
    if (kind === 'file' && (!st.isFile() || st.nlink !== 1)) {
      await handle.close();
      return undefined;
    }
    return { handle, path: where };
  }

  private async apply(target: OpenDir, mode: number | undefined, uid: number | undefined, gid: number | undefined, changes: PermissionChanges): Promise<void> {
    const st: Stats = await target.handle.stat();
    try {
      if (mode !== undefined && (st.mode & 0o7777) !== mode) {
        await target.handle.chmod(mode);
        changes.chmod.push(target.path);
      }
      if ((uid !== undefined && st.uid !== uid) || (gid !== undefined && st.gid !== gid)) {
        await target.handle.chown(uid ?? st.uid, gid ?? st.gid);
        changes.chown.push(target.path);
      }
    } catch (err) {
      throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: ${target.path}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
  }
}
