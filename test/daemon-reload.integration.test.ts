import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../src/daemon/daemon.js';
import { FileStore } from '../src/store/file-store.js';
import { localConfigText, startLocalStack, type LocalStack } from '../src/testing/local-stack.js';
import { captureLog, type CapturedLog } from '../src/testing/test-log.js';

let stack: LocalStack;
beforeAll(async () => { stack = await startLocalStack(['example.test']); });
afterAll(() => stack?.stop());

const cert = (n: string, extra = '') => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n${extra}`;
const text = (store: string, certs: string, top = '') => localConfigText({
  store, pebble: stack.pebble, pdns: stack.pdns, certs, extraTop: `server:\n  listen: 127.0.0.1:0\n${top}`,
});

function until(cap: CapturedLog, match: (r: Record<string, unknown>) => boolean, from = 0, ms = 20_000): Promise<Record<string, unknown>> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const look = () => {
      const hit = cap.records().slice(from).find(match);
      if (hit) return resolve(hit);
      if (Date.now() - started > ms) return reject(new Error(`not seen; last: ${cap.lines.slice(-5).join('')}`));
      setTimeout(look, 20);
    };
    look();
  });
}

describe('Daemon reload (in process)', () => {
  it('re-issues a changed certificate, forgets and revokes a removed one, and reloads on demand', async () => {
    const store = path.join(stack.dir, 'r1');
    const file = path.join(stack.dir, 'r1.yaml');
    await writeFile(file, text(store, cert('keep') + cert('grow') + cert('drop'), 'scheduler:\n  revoke_removed: true\n  concurrency: 2\n'));
    const cap = captureLog();
    const d = await Daemon.start({ configFile: file, log: cap.log, redactor: cap.redactor });
    try {
      for (const n of ['keep', 'grow', 'drop']) await until(cap, (r) => r.msg === 'issued' && r.cert === n);
      const dropped = (await new FileStore({ root: store }).load('drop'))!;

      // `grow` gains a name, `drop` goes: only `grow` is issued again, `drop` is revoked.
      const mark = cap.lines.length;
      await writeFile(file, text(store, cert('keep') + '  - name: grow\n    domains: [grow.example.test, www.grow.example.test]\n    dns: home\n', 'scheduler:\n  revoke_removed: true\n'));
      expect(await until(cap, (r) => r.msg === 'config_reloaded', mark)).toMatchObject({ added: [], changed: ['grow'], removed: ['drop'] });
      await until(cap, (r) => r.msg === 'renewed' && r.cert === 'grow', mark);
      await until(cap, (r) => r.msg === 'revoked_removed' && r.cert === 'drop', mark);
      expect(cap.records().slice(mark).filter((r) => r.cert === 'keep')).toEqual([]);
      expect((await new FileStore({ root: store }).readMeta('grow'))!.domains).toEqual(['grow.example.test', 'www.grow.example.test']);
      // The removed certificate stays on disk.
      expect(await readFile(path.join(store, 'live', 'drop', 'cert.pem'), 'utf8')).toBe(dropped.pem.cert);

      // Nothing changed: a forced reload (SIGHUP) reports no work.
      const again = cap.lines.length;
      await d.reload();
      expect(await until(cap, (r) => r.msg === 'config_reloaded', again)).toMatchObject({ added: [], changed: [], removed: [] });
    } finally {
      await d.stop();
    }
    expect(cap.records().at(-1)).toMatchObject({ msg: 'stopped' });
  });
});
