// Fails when a production dependency (what ships in the image) is under a licence outside the
// allow-list. Reads `npm ls --omit=dev --all`, then each package.json: no network.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ALLOWED = new Set(['MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'BlueOak-1.0.0', 'CC0-1.0', 'Unlicense']);
const root = path.resolve(import.meta.dirname, '..');
const dirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  .split('\n').filter(Boolean).slice(1);
const bad = [];
const seen = new Set();
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const id = `${pkg.name}@${pkg.version}`;
  if (seen.has(id)) continue;
  seen.add(id);
  const license = typeof pkg.license === 'string' ? pkg.license : Array.isArray(pkg.licenses) ? pkg.licenses.map((l) => l.type).join(' OR ') : undefined;
  // An SPDX "A OR B" expression is fine when one alternative is allowed.
  const ok = license !== undefined && license.replace(/[()]/g, '').split(/\s+OR\s+/).some((l) => ALLOWED.has(l.trim()));
  if (!ok) bad.push(`${id}: ${license ?? 'no licence field'}`);
}
if (bad.length) {
  console.error(`licence check: ${bad.length} production dependenc${bad.length === 1 ? 'y' : 'ies'} outside the allow-list (${[...ALLOWED].join(', ')}):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`licence check: ${seen.size} production packages, all under allowed licences`);
