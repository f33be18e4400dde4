import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleScriptSource, codeCacheDirectory, codeCacheFile, compileBundle, runBundle, runOneShot, saveCodeCache, type OneShotBundle } from './one-shot-loader.js';

let dir: string;
let bundle: OneShotBundle;
const isRoot = process.getuid?.() === 0;

// A bundle with a function that only a run compiles: its bytecode is in a cache taken after the run.
const SOURCE = `
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; }
function unused() { return [1, 2, 3].map((x) => x * 2).join(','); }
globalThis.__oneShotRuns = (globalThis.__oneShotRuns ?? 0) + 1;
module.exports.result = work(1000) + require('node:path').sep.length;
`;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'certfleet-one-shot-'));
  bundle = { file: path.join(dir, 'one-shot.cjs'), id: '0123456789abcdef' };
  writeFileSync(bundle.file, SOURCE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('codeCacheDirectory', () => {
  it('makes a 0700 directory under NODE_COMPILE_CACHE', () => {
    const got = codeCacheDirectory({ NODE_COMPILE_CACHE: path.join(dir, 'cache') });
    expect(got).toBe(path.join(dir, 'cache', 'certfleet'));
    expect(statSync(got!).mode & 0o777).toBe(0o700);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE, as Node\'s own cache is', () => {
    expect(codeCacheDirectory({ NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
  });

  it('refuses a directory others can write, and a symbolic link', () => {
    const shared = path.join(dir, 'shared');
    mkdirSync(path.join(shared, 'certfleet'), { recursive: true });
    chmodSync(path.join(shared, 'certfleet'), 0o777);
    expect(codeCacheDirectory({ NODE_COMPILE_CACHE: shared })).toBeUndefined();
    const linked = path.join(dir, 'linked');
    mkdirSync(linked);
    mkdirSync(path.join(dir, 'elsewhere'), { mode: 0o700 });
    symlinkSync(path.join(dir, 'elsewhere'), path.join(linked, 'certfleet'));
    expect(codeCacheDirectory({ NODE_COMPILE_CACHE: linked })).toBeUndefined();
  });

  it.skipIf(!isRoot)('refuses a directory of another user', () => {
    mkdirSync(path.join(dir, 'theirs', 'certfleet'), { recursive: true, mode: 0o700 });
    chownSync(path.join(dir, 'theirs', 'certfleet'), 65534, 65534);
    expect(codeCacheDirectory({ NODE_COMPILE_CACHE: path.join(dir, 'theirs') })).toBeUndefined();
  });

  it('is undefined where the directory cannot be made', () => {
    writeFileSync(path.join(dir, 'file'), '');
    expect(codeCacheDirectory({ NODE_COMPILE_CACHE: path.join(dir, 'file') })).toBeUndefined();
  });
});

describe('codeCacheFile', () => {
  it('names the command, the build and the Node.js; any other word is "other"', () => {
    expect(path.basename(codeCacheFile(dir, bundle, 'check-config'))).toBe(`check-config.0123456789abcdef.${process.version}-${process.arch}.v8cache`);
    for (const word of ['../../etc/passwd', 'Issue', undefined, '-x']) expect(path.basename(codeCacheFile(dir, bundle, word))).toMatch(/^other\./);
  });
});

describe('compileBundle, runBundle and saveCodeCache', () => {
  it('runs the bundle, saves a cache after the run, and compiles from it the next time', () => {
    const cacheFile = codeCacheFile(dir, bundle, 'issue');
    const first = compileBundle(bundle, cacheFile);
    expect(first.stale).toBe(true);
    const runs = (globalThis as { __oneShotRuns?: number }).__oneShotRuns ?? 0;
    runBundle(first.script, bundle.file);
    expect((globalThis as { __oneShotRuns?: number }).__oneShotRuns).toBe(runs + 1);
    saveCodeCache(first.script, cacheFile);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    const second = compileBundle(bundle, cacheFile);
    expect(second.stale).toBe(false);
    expect(second.script.cachedDataRejected).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('holds what the run compiled: a cache taken after the run is larger than one taken before it', () => {
    const before = compileBundle(bundle, undefined).script.createCachedData().length;
    const { script } = compileBundle(bundle, undefined);
    runBundle(script, bundle.file);
    expect(script.createCachedData().length).toBeGreaterThan(before);
  });

  it('with no cache directory, compiles and never asks for a save', () => {
    expect(compileBundle(bundle, undefined).stale).toBe(false);
  });

  it("compiles text given in place of the file with the build's cache, and still asks for a user's cache", () => {
    const text = SOURCE;
    const buildCache = new vm.Script(bundleScriptSource(text)).createCachedData();
    const asset = { file: path.join(dir, 'no-such-file'), id: bundle.id, text, buildCache };
    const first = compileBundle(asset, codeCacheFile(dir, asset, 'issue'));
    expect(first.script.cachedDataRejected).toBe(false);
    expect(first.stale).toBe(true);
    runBundle(first.script, asset.file);
    saveCodeCache(first.script, codeCacheFile(dir, asset, 'issue'));
    expect(compileBundle(asset, codeCacheFile(dir, asset, 'issue')).stale).toBe(false);
    expect(compileBundle(asset, undefined).script.cachedDataRejected).toBe(false);
  });

  it('for a daemon (postRunCache: false) neither reads nor saves a cache of its own', () => {
    const saved = process.env.NODE_COMPILE_CACHE;
    process.env.NODE_COMPILE_CACHE = path.join(dir, 'cache');
    const exits = process.listenerCount('exit');
    try {
      runOneShot(bundle, 'run', { postRunCache: false });
      expect(existsSync(path.join(dir, 'cache'))).toBe(false);
      expect(process.listenerCount('exit')).toBe(exits);
    } finally {
      if (saved === undefined) delete process.env.NODE_COMPILE_CACHE; else process.env.NODE_COMPILE_CACHE = saved;
    }
  });

  it('calls beforeRun after the compile and before the bundle runs', () => {
    const runs = () => (globalThis as { __oneShotRuns?: number }).__oneShotRuns ?? 0;
    const before = runs();
    let seen: number | undefined;
    runOneShot(bundle, 'run', { postRunCache: false, beforeRun: () => { seen = runs(); } });
    expect(seen).toBe(before);
    expect(runs()).toBe(before + 1);
  });

  it('takes a refused cache as stale (other bytes, another V8) and still runs', () => {
    const cacheFile = codeCacheFile(dir, bundle, 'issue');
    writeFileSync(cacheFile, Buffer.alloc(4096, 7), { mode: 0o600 });
    const { script, stale } = compileBundle(bundle, cacheFile);
    expect(stale).toBe(true);
    expect(() => runBundle(script, bundle.file)).not.toThrow();
  });

  it('ignores a cache file others can write, or a symbolic link to one', () => {
    const cacheFile = codeCacheFile(dir, bundle, 'issue');
    const good = compileBundle(bundle, undefined).script;
    saveCodeCache(good, cacheFile);
    chmodSync(cacheFile, 0o666);
    expect(compileBundle(bundle, cacheFile).stale).toBe(true);
    const linked = codeCacheFile(dir, bundle, 'list');
    chmodSync(cacheFile, 0o600);
    symlinkSync(cacheFile, linked);
    expect(compileBundle(bundle, linked).stale).toBe(true);
  });

  it("keeps the command's newest cache of one other build, removes older ones, and keeps other commands'", () => {
    const build = (id: string, command: string) => codeCacheFile(dir, { ...bundle, id }, command);
    const { script } = compileBundle(bundle, undefined);
    const oldest = build('eeeeeeeeeeeeeeee', 'issue');
    const older = build('ffffffffffffffff', 'issue');
    const otherCommand = build('eeeeeeeeeeeeeeee', 'list');
    saveCodeCache(script, oldest);
    saveCodeCache(script, older);
    saveCodeCache(script, otherCommand);
    utimesSync(oldest, 1000, 1000);
    utimesSync(older, 2000, 2000);
    saveCodeCache(script, codeCacheFile(dir, bundle, 'issue'));
    expect(existsSync(oldest)).toBe(false);
    expect(existsSync(older)).toBe(true);
    expect(existsSync(otherCommand)).toBe(true);
  });

  it('lets two builds run in turn without removing each other\'s cache', () => {
    const other = { ...bundle, id: 'ffffffffffffffff' };
    const { script } = compileBundle(bundle, undefined);
    saveCodeCache(script, codeCacheFile(dir, bundle, 'issue'));
    saveCodeCache(script, codeCacheFile(dir, other, 'issue'));
    expect(compileBundle(bundle, codeCacheFile(dir, bundle, 'issue')).stale).toBe(false);
  });

  it("removes a killed writer's temp file once it is old, not a live writer's", () => {
    const cacheFile = codeCacheFile(dir, bundle, 'issue');
    const abandoned = `${codeCacheFile(dir, { ...bundle, id: 'ffffffffffffffff' }, 'issue')}.12345.tmp`;
    const live = `${codeCacheFile(dir, { ...bundle, id: 'eeeeeeeeeeeeeeee' }, 'issue')}.12346.tmp`;
    writeFileSync(abandoned, 'x');
    writeFileSync(live, 'x');
    utimesSync(abandoned, 1000, 1000);
    saveCodeCache(compileBundle(bundle, undefined).script, cacheFile);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('never throws when the cache cannot be written', () => {
    const { script } = compileBundle(bundle, undefined);
    expect(() => saveCodeCache(script, path.join(dir, 'missing', 'issue.v8cache'))).not.toThrow();
  });
});
