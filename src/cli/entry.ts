// The first module Node runs. It imports nothing statically: main.js's imports (node:module's
// enableCompileCache, …) fail to link on an older Node with a SyntaxError that names no reason.

/** Set by scripts/bundle.mjs: the build id of one-shot.cjs, the one-shot commands' CommonJS bundle beside this file. */
declare const CERTFLEET_ONE_SHOT_ID: string | undefined;

/**
 * Commands that run from the ES module chunks, of which each loads only its own: the daemons,
 * whose resident memory is measured against a budget, and the few that read no config, for which
 * compiling the one bundle (20-30 ms, measured) would cost more than it saves. Every other command
 * runs from the one CommonJS bundle with a code cache taken after a run (one-shot-loader.ts): a
 * cron job's start is most of its cost.
 */
const FROM_CHUNKS = new Set(['run', 'webhook', 'version', '--version', 'help', '--help', '-h', 'completion']);

const major = Number(process.versions.node.split('.')[0]);
const command = process.argv[2];
if (major < 24) {
  process.stderr.write(`certfleet needs Node.js 24 or later; this is Node.js ${process.version}.\n`
    + 'Install Node.js 24 LTS (https://nodejs.org), or use the single executable or the .deb, which carry their own.\n');
  process.exitCode = 1;
} else if (typeof CERTFLEET_ONE_SHOT_ID === 'string' && command !== undefined && !FROM_CHUNKS.has(command)) {
  const { runOneShot } = await import('./one-shot-loader.js');
  runOneShot({ file: `${import.meta.dirname}/one-shot.cjs`, id: CERTFLEET_ONE_SHOT_ID }, command);
} else {
  // V8's code cache for the chunks (in the OS temp directory; skipped where that is not
  // writable): a `certfleet issue` process measured 25-45 ms faster with it. Before main.js, so
  // it covers every chunk loaded after it.
  (await import('node:module')).enableCompileCache();
  await import('./main.js');
}
export {};
