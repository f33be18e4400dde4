import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { FileStore } from '../src/store/file-store.js';
import { openPgStore } from '../src/store/postgres/open-pg-store.js';
import { freePort } from './support/free-port.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { startPostgres, type PostgresServer } from './support/postgres-server.js';
import { runCertfleet } from './support/run-certfleet.js';
import { captureLog } from './support/test-log.js';

let stack: LocalStack;
let pg: PostgresServer;
const { log } = captureLog();
const S = () => AbortSignal.timeout(60_000);
const CERTS = '  - name: web\n    domains: [web.example.test]\n    dns: home\n  - name: api\n    domains: [api.example.test, "*.api.example.test"]\n    dns: home\n';

beforeAll(async () => {
  [stack, pg] = await Promise.all([startLocalStack(['example.test']), startPostgres()]);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), pg?.destroy()]);
});

/** A config file in the stack's dir; `store` is the YAML of its store section's body. */
async function configFile(name: string, store: string): Promise<string> {
  const text = localConfigText({ store: 'PLACEHOLDER', pebble: stack.pebble, pdns: stack.pdns, certs: CERTS }).replace('store:\n  path: PLACEHOLDER\n', `store:\n${store}`);
  const file = path.join(stack.dir, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

async function versions(file: string): Promise<Record<string, [number, string]>> {
  const config = parseConfig(await readFile(file, 'utf8'), file);
  const store = config.store.type === 'postgres' ? openPgStore({ url: config.store.url!.reveal(), host: 'check' }) : undefined;
  try {
    const list = await (store?.store ?? new FileStore({ root: config.store.path })).list(S());
    return Object.fromEntries(list.map((m) => [m.name, [m.version, m.serial]]));
  } finally {
    await store?.close();
  }
}

describe('certfleet store migrate', () => {
  it('moves a directory store into PostgreSQL and back, account and certificates included; nothing is reissued; a second run copies nothing', async () => {
    const dirStore = path.join(stack.dir, 'dir-store');
    const a = await configFile('a', `  path: ${dirStore}\n`);
    const first = await issueAll(parseConfig(localConfigText({ store: dirStore, pebble: stack.pebble, pdns: stack.pdns, certs: CERTS }), a), log, {}, S());
    expect(first.map((o) => o.result)).toEqual(['issued', 'issued']);
    const issued = await versions(a);

    const urlFile = path.join(stack.dir, 'pg-url');
    await writeFile(urlFile, `${pg.passwordUrl(await pg.createDatabase())}\n`, { mode: 0o600 });
    const b = await configFile('b', `  type: postgres\n  url_file: ${urlFile}\n  path: ${path.join(stack.dir, 'host-b')}\n  host: edge-b\n`);
    const there = await runCertfleet(['store', 'migrate', '--config', a, '--to', b]);
    expect(there, there.stderr).toMatchObject({ code: 0 });
    expect(there.stdout).toMatch(/^copied 1 account \(0 already there\), 2 certificates \(0 already there\), 2 schedule states; nothing was reissued/);
    expect(there.stdout + there.stderr).not.toContain(pg.password);
    expect(await versions(b)).toEqual(issued);
    const again = await runCertfleet(['store', 'migrate', '--config', a, '--to', b]);
    expect(again.stdout).toMatch(/^copied 0 accounts \(1 already there\), 0 certificates \(2 already there\), 0 schedule states/);

    // The PostgreSQL store's certificates are current: an issue on it orders nothing.
    const onPg = await issueAll(parseConfig(await readFile(b, 'utf8'), b), log, {}, S());
    expect(onPg.map((o) => o.result)).toEqual(['skipped', 'skipped']);

    const c = await configFile('c', `  path: ${path.join(stack.dir, 'dir-back')}\n`);
    const back = await runCertfleet(['store', 'migrate', '--config', b, '--to', c]);
    expect(back, back.stderr).toMatchObject({ code: 0 });
    expect(await versions(c)).toEqual(issued);
    const onDir = await issueAll(parseConfig(await readFile(c, 'utf8'), c), log, {}, S());
    expect(onDir.map((o) => o.result)).toEqual(['skipped', 'skipped']);
  });

  it('an unreachable database at start: one line naming host and port, exit 2, no password', async () => {
    const port = await freePort();
    const url = path.join(stack.dir, 'pg-dead-url');
    await writeFile(url, `postgres://certfleet:dead-db-password-93a1@127.0.0.1:${port}/certfleet\n`, { mode: 0o600 });
    const d = await configFile('d', `  type: postgres\n  url_file: ${url}\n  path: ${path.join(stack.dir, 'host-d')}\n`);
    for (const args of [['issue', '--config', d], ['store', 'migrate', '--config', d, '--to', d]]) {
      const run = await runCertfleet(args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port} (database certfleet, user certfleet): the connection was refused`);
      expect(run.stdout + run.stderr).not.toContain('dead-db-password-93a1');
    }
  });
});
