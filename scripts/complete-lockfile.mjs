#!/usr/bin/env node
// Adds lockfile entries for platform-specific optional packages that the registry this project is
// built behind does not serve (it serves rollup's linux builds only). Without them `npm ci` refuses
// the lockfile as out of sync. The entries carry os/cpu/libc, so npm skips them on other platforms
// here and fetches them by version on machines that reach the whole registry.
// Run after `npm install` changed package-lock.json: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const OS = new Set(['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'openharmony', 'sunos', 'win32']);
const CPU = new Set(['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64']);

/** os, cpu and libc from a name such as `@rollup/rollup-linux-arm-musleabihf`; undefined if it names no platform. */
export function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const at = words.findIndex((w) => OS.has(w));
  if (at < 0 || !CPU.has(words[at + 1])) return undefined;
  const abi = words[at + 2] ?? '';
  const fields = { os: [words[at]], cpu: [words[at + 1]] };
  if (words[at] === 'linux' && abi.startsWith('gnu')) fields.libc = ['glibc'];
  if (words[at] === 'linux' && abi.startsWith('musl')) fields.libc = ['musl'];
  return fields;
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `${path ? `${path}/` : ''}node_modules/${dep}`.replace(/^\//, '');
    if (lock.packages[key] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[`node_modules/${dep}`] = { version, ...platform, ...(entry.dev ? { dev: true } : {}), optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform entries added`);
