import { readFile, realpath, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FleetReport } from '../../src/cli/fleet-status.js';
import { DaemonProcess } from './daemon-process.js';
import { localConfigText, type LocalStack } from './local-stack.js';
import { runCertfleet } from './run-certfleet.js';

/** One fleet host: `bin/certfleet run` with its own `store.path` and `store.host` on a shared database. */
export interface FleetHost {
  id: string;
  config: string;
  path: string;
  daemon: DaemonProcess;
  /** http://127.0.0.1:PORT of /readyz and /metrics. */
  base: string;
}

export const certEntry = (n: string) => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n`;

/** The config of host `id` (the certificates are the same on every host). */
export async function fleetConfig(stack: LocalStack, url: string, id: string, certs: string[], extraStore = ''): Promise<{ file: string; path: string }> {
  const store = path.join(stack.dir, id);
  const text = localConfigText({ store, pebble: stack.pebble, pdns: stack.pdns, certs: certs.map(certEntry).join(''), extraTop: 'server:\n  listen: 127.0.0.1:0\n' })
    .replace(`store:\n  path: ${store}\n`, `store:\n  type: postgres\n  url: ${url}\n  path: ${store}\n  host: ${id}\n${extraStore}`);
  const file = path.join(stack.dir, `${id}.yaml`);
  // As editors do (a daemon watching it never reads half a file).
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
  return { file, path: store };
}

export async function startFleetHost(stack: LocalStack, url: string, id: string, certs: string[], extraStore = ''): Promise<FleetHost> {
  const { file, path: store } = await fleetConfig(stack, url, id, certs, extraStore);
  return { id, config: file, path: store, ...await startFleetDaemon(file) };
}

/** `bin/certfleet run` on an existing fleet host config (a restart after a SIGKILL). */
export async function startFleetDaemon(file: string): Promise<{ daemon: DaemonProcess; base: string }> {
  const daemon = DaemonProcess.start(file);
  const listening = await daemon.waitFor(daemon.msg('http_listening'));
  return { daemon, base: String(listening.address) };
}

/** The cert.pem `live/<name>/` of this host serves now (undefined: none yet). */
export async function servedCert(hostPath: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(await realpath(path.join(hostPath, 'live', name)), 'cert.pem'), 'utf8');
  } catch {
    return undefined;
  }
}

export async function fleetStatus(config: string): Promise<FleetReport> {
  const r = await runCertfleet(['fleet', 'status', '--config', config, '--json']);
  if (r.code !== 0) throw new Error(`fleet status: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as FleetReport;
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Issuances this daemon made, by its metrics (issued + renewed attempts). */
export async function issuances(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^certfleet_issuance_attempts_total\{result="(issued|renewed)"\} (\d+)$/gm)) n += Number(m[2]);
  return n;
}
