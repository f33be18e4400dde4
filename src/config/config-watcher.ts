import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors.js';

export type ConfigChange = { text: string; digest: string } | { error: string };

export interface ConfigWatcherOptions {
  /** Called with the new text when the content changed, or with an error when it cannot be read. */
  onChange: (change: ConfigChange) => void;
  debounceMs?: number;
  /** Only used where fs.watch is unavailable. */
  pollMs?: number;
  /** Digest of the text already loaded (so the first event after start does not reload it again). */
  initialDigest?: string;
}

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Watches the config file's directory, not the file: editors save by rename and Kubernetes
 * swaps a `..data` symlink, and both replace the inode a file watch would follow. Events are
 * debounced; mtime, size and inode are compared first and the content digest only when they
 * moved, so a touch or an unrelated file in the directory costs one stat.
 */
export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastStat = '';
  private lastDigest: string | undefined;
  private lastError: string | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(readonly file: string, private readonly opts: ConfigWatcherOptions) {
    this.lastDigest = opts.initialDigest;
  }

  /** 'watch' normally; 'poll' where the platform cannot watch (reported for the logs). */
  async start(): Promise<'watch' | 'poll'> {
    this.lastStat = await this.statKey().catch(() => '');
    try {
      this.watcher = watch(path.dirname(path.resolve(this.file)), { persistent: false }, () => this.schedule());
      this.watcher.on('error', () => this.fallBackToPolling());
      return 'watch';
    } catch {
      this.fallBackToPolling();
      return 'poll';
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poller) clearInterval(this.poller);
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Re-reads now, even if nothing seems to have changed (SIGHUP). */
  reload(): Promise<void> {
    this.lastStat = '';
    this.lastDigest = undefined;
    return this.check();
  }

  private fallBackToPolling(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.poller ??= setInterval(() => this.schedule(), this.opts.pollMs ?? 5000).unref();
  }

  private schedule(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), this.opts.debounceMs ?? 100);
  }

  /** Checks run one after another: a slow read never races the next event. */
  private check(): Promise<void> {
    this.checking = this.checking.then(() => this.checkOnce());
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    let key: string;
    try {
      key = await this.statKey();
    } catch (err) {
      return this.fail(`cannot read config ${this.file}: ${errorMessage(err)}`);
    }
    if (key === this.lastStat && this.lastError === undefined) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      return this.fail(`cannot read config ${this.file}: ${errorMessage(err)}`);
    }
    this.lastStat = key;
    this.lastError = undefined;
    const digest = digestOf(text);
    if (digest === this.lastDigest) return;
    this.lastDigest = digest;
    this.opts.onChange({ text, digest });
  }

  private fail(error: string): void {
    // Report a vanished or unreadable file once, not on every event while it stays so.
    if (error === this.lastError) return;
    this.lastError = error;
    this.lastStat = '';
    this.opts.onChange({ error });
  }

  private async statKey(): Promise<string> {
    const s = await stat(this.file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  }
}
