// Runs the one-shot commands from dist/bundle/one-shot.cjs (one CommonJS file, scripts/bundle.mjs)
// with a V8 code cache taken at the end of a run. Node's own compile cache is taken as each module
// is compiled, before it runs, so it holds only the top level: every function a run calls is
// compiled again in every process (zod's and yaml's most of all). A cache taken at exit holds
// them too: a one-shot `certfleet issue` measured 40-90 ms less CPU per process (docs/benchmarks.md).
// Only node: built-ins here: this runs before the bundle.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** The bundle and its build's id (a hash of its text, written in by scripts/bundle.mjs). */
export interface OneShotBundle {
  /** Its file name, for stack traces and `require`; read for the text unless `text` is given. */
  file: string;
  id: string;
  /** The text itself, where it is not a file (the single executable's asset). */
  text?: string;
  /** A cache of the top level taken at build time, for when this user has none (yet). */
  buildCache?: Buffer;
}

/** What V8 compiles for a bundle: its text as a CommonJS module's function. A cache fits only this text. */
export function bundleScriptSource(text: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
}

/**
 * This user's cache directory, made 0700 if missing, or undefined where no cache may be used:
 * not creatable (a read-only file system), or not this user's alone. A code cache is code: V8
 * checks its version and the source's length, not the source, so a file another user could write
 * would run as this process.
 */
export function codeCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Node's own switches for its compile cache, so one setting governs both.
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const dir = env.NODE_COMPILE_CACHE ? path.join(env.NODE_COMPILE_CACHE, 'certfleet') : path.join(os.tmpdir(), `certfleet-code-cache-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && ownedPrivately(st) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The cache file for one command of one build on this Node.js. */
export function codeCacheFile(dir: string, bundle: OneShotBundle, command: string | undefined): string {
  // The command as typed is not a file name: an unknown word shares one cache.
  const key = command !== undefined && /^[a-z][a-z0-9-]{0,23}$/.test(command) ? command : 'other';
  return path.join(dir, `${key}.${bundle.id}.${process.version}-${process.arch}.v8cache`);
}

/**
 * Compiles the bundle with the cache when there is a usable one; `stale` says that a new one
 * should be saved after the run (there was none, or V8 refused it: another V8 or other flags).
 */
export function compileBundle(bundle: OneShotBundle, cacheFile: string | undefined): { script: vm.Script; stale: boolean } {
  // ASCII throughout (scripts/bundle.mjs escapes the rest): latin1 reads it as one-byte text at once.
  const source = bundle.text ?? readFileSync(bundle.file, 'latin1');
  const userCache = cacheFile === undefined ? undefined : readPrivateFile(cacheFile);
  const cachedData = userCache ?? bundle.buildCache;
  const script = new vm.Script(bundleScriptSource(source), {
    filename: bundle.file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return { script, stale: cacheFile !== undefined && (userCache === undefined || script.cachedDataRejected === true) };
}

/** Runs the compiled bundle as the CommonJS module it is. */
export function runBundle(script: vm.Script, file: string): void {
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, path.dirname(file));
}

/**
 * Writes the cache for what this process compiled, atomically (a file of its own, renamed over),
 * and prunes this command's caches of other builds down to the newest one. Two builds run by one
 * user (a checkout beside an npm install) each keep theirs; removing every other build's cache
 * made two such builds delete each other's on every run. Never throws: it runs at exit, and a
 * cache that cannot be written only costs the next start its compiling.
 */
export function saveCodeCache(script: vm.Script, cacheFile: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, cacheFile);
  } catch {
    try { unlinkSync(tmp); } catch { /* never made */ }
    return;
  }
  pruneOtherBuilds(cacheFile);
}

/** How many caches of one command from other builds stay beside the one just written. */
const OTHER_BUILDS_KEPT = 1;
/** A temp file this old is a killed writer's: a write takes milliseconds. */
const ABANDONED_TEMP_MS = 60_000;

function pruneOtherBuilds(cacheFile: string): void {
  const now = Date.now();
  const dir = path.dirname(cacheFile);
  const name = path.basename(cacheFile);
  const command = name.slice(0, name.indexOf('.') + 1);
  const others: { file: string; mtimeMs: number }[] = [];
  try {
    for (const other of readdirSync(dir)) {
      if (other === name || !other.startsWith(command)) continue;
      const file = path.join(dir, other);
      const st = lstatSync(file, { throwIfNoEntry: false });
      if (!st) continue;
      if (other.endsWith('.v8cache')) others.push({ file, mtimeMs: st.mtimeMs });
      else if (other.endsWith('.tmp') && now - st.mtimeMs > ABANDONED_TEMP_MS) unlinkSync(file);
    }
    others.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { file } of others.slice(OTHER_BUILDS_KEPT)) unlinkSync(file);
  } catch { /* another process pruned it first */ }
}

/**
 * `certfleet <command>` for a one-shot command: the bundle, its cache, and the cache saved at exit
 * if it was stale. `postRunCache: false` is for a daemon, whose exit is no time to write one;
 * `beforeRun` runs between the compile and the run.
 */
export function runOneShot(bundle: OneShotBundle, command: string | undefined, { postRunCache = true, beforeRun }: { postRunCache?: boolean; beforeRun?: () => void } = {}): void {
  const dir = postRunCache ? codeCacheDirectory() : undefined;
  const cacheFile = dir === undefined ? undefined : codeCacheFile(dir, bundle, command);
  const { script, stale } = compileBundle(bundle, cacheFile);
  if (stale && cacheFile !== undefined) process.once('exit', () => saveCodeCache(script, cacheFile));
  beforeRun?.();
  runBundle(script, bundle.file);
}

function ownedPrivately(st: Stats): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/** The file's bytes if it is a regular file of this user's that no one else can write; else undefined. */
function readPrivateFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() && ownedPrivately(st) ? readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
