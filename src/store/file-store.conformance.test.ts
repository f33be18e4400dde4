import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { failNthWrite } from '../../test/chaos/support/fs-fault.js';
import { findDebris } from '../../test/chaos/support/store-debris-finder.js';
import { servedFiles } from '../../test/support/served-files.js';
import { describeStoreConformance } from '../../test/support/store-conformance.js';
import { FileStore } from './file-store.js';
import { ownerText, readOwner } from './lock-file.js';
import { currentProcess } from './process-identity.js';

/** A PID that has just exited: a lock naming it belongs to a dead process. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid;
}

describeStoreConformance('FileStore', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'certfleet-conformance-'));
  return {
    store: new FileStore({ root }),
    reopen: () => new FileStore({ root }),
    abandonLock: async (name) => {
      // The same generation, now owned by a dead process: what a SIGKILLed holder leaves.
      const lock = path.join(root, 'locks', `${name}.lock`);
      const owner = await readOwner(lock);
      if (!owner) throw new Error(`${name} is not locked`);
      await rm(lock);
      await symlink(ownerText(owner.generation, { ...currentProcess(), pid: deadPid() }), lock);
    },
    failNthWrite: (n) => failNthWrite(root, n),
    // A server resolves live/<name> once and reads both files inside what it points to.
    readServed: (name) => servedFiles(root, name),
    debris: () => findDebris(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}, { faultPoints: 20 });
