import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { failNthWrite } from '../../test/chaos/support/fs-fault.js';
import { findDebris } from '../../test/chaos/support/store-debris-finder.js';
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
    readServed: async (name) => {
      let dir: string;
      try {
        dir = await realpath(path.join(root, 'live', name));
      } catch {
        return undefined;
      }
      const [cert, privkey] = await Promise.all([readFile(path.join(dir, 'cert.pem'), 'utf8'), readFile(path.join(dir, 'privkey.pem'), 'utf8')]);
      return { cert, privkey };
    },
    debris: () => findDebris(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}, { faultPoints: 20 });
