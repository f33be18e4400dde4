// The single executable's main (scripts/sea.mjs bundles it to CommonJS, as Node 24 runs an
// injected main only as that). It runs the one-shot bundle, an asset of the executable, through the
// same loader as bin/certfleet, so a `certfleet issue` from the .deb's timer also gets the cache
// taken after a run (one-shot-loader.ts). Node's own `useCodeCache` for the main covers only the
// top level, which is what the build's cache here does for a first run and for the daemons.
import { getRawAsset } from 'node:sea';
import { setFlagsFromString } from 'node:v8';
import { daemonRelaunchEnv, daemonRuntimeFlags, isDaemonCommand } from './daemon-runtime.js';
import { runOneShot } from './one-shot-loader.js';

/** Set by scripts/sea.mjs: the id of this executable's bundle, distinct from the checkout's (other flags). */
declare const CERTFLEET_SEA_BUNDLE_ID: string;

const command = process.argv[2];
// A daemon gets what bin/certfleet starts it with. What only a start can set, the executable
// gets by starting itself again, in place (same PID, for systemd): one more start of ~40 ms.
const relaunch = daemonRelaunchEnv(command, process.env);
if (relaunch) process.execve!(process.execPath, [process.execPath, ...process.argv.slice(2)], relaunch);
const flags = daemonRuntimeFlags(command);
runOneShot({
  // A file name for stack traces and `require` (which loads Node's built-ins only: the bundle has the rest).
  file: process.execPath,
  id: CERTFLEET_SEA_BUNDLE_ID,
  text: Buffer.from(getRawAsset('one-shot.cjs')).toString('latin1'),
  buildCache: Buffer.from(getRawAsset('one-shot.v8cache')),
}, command, {
  postRunCache: !isDaemonCommand(command),
  ...(flags ? { beforeRun: () => setFlagsFromString(flags) } : {}),
});
