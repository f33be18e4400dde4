#!/usr/bin/env node
// Fails when an image reference in a tracked file is unpinned: no tag, the tag `latest`, or a
// variable whose default is either. Looks at Dockerfile FROM and ARG *IMAGE* lines, YAML `image:`
// keys (compose, Kubernetes) and the same in Markdown examples. Without arguments it reads every
// tracked file and also checks that the Dockerfile's default Node.js image is .node-version's;
// with arguments, only those files.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Why `ref` is not pinned, or undefined when it is (an explicit tag other than latest, or a digest). */
function unpinnedReason(ref) {
  if (ref === 'scratch') return undefined;
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return undefined;
  const lastPart = ref.split('/').pop() ?? '';
  if (!lastPart.includes(':')) return 'has no tag';
  const tag = lastPart.split(':').pop();
  if (tag === 'latest') return 'is tagged latest';
  if (tag === '') return 'has an empty tag';
  return undefined;
}

/** Every image reference in one file's text, with its line number; variables resolved from ARG defaults. */
function imageReferences(file, text) {
  const refs = [];
  const args = new Map();
  const stages = new Set();
  const isDockerfile = /(^|\/)(Dockerfile|Containerfile)[^/]*$/.test(file);
  text.split('\n').forEach((line, i) => {
    const at = { file, line: i + 1 };
    if (isDockerfile) {
      const arg = /^\s*ARG\s+(\w+)=(\S+)/i.exec(line);
      if (arg) {
        args.set(arg[1], arg[2]);
        if (/IMAGE/i.test(arg[1])) refs.push({ ...at, ref: arg[2] });
      }
      const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
      if (from) {
        const variable = /^\$\{?(\w+)\}?$/.exec(from[1]);
        if (variable) {
          if (!args.has(variable[1])) refs.push({ ...at, ref: from[1], reason: `uses ${from[1]}, which has no default` });
        } else if (!stages.has(from[1])) refs.push({ ...at, ref: from[1] });
        if (from[2]) stages.add(from[2]);
      }
      return;
    }
    const image = /^\s*(?:-\s+)?image:\s*["']?([^"'\s#]+)/.exec(line);
    if (image) refs.push({ ...at, ref: image[1] });
  });
  return refs.map((r) => ({ ...r, reason: r.reason ?? unpinnedReason(r.ref) }));
}

function main(files) {
  const all = files.length === 0;
  const tracked = all
    ? execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { encoding: 'utf8' }).split('\n')
      .filter((f) => /(^|\/)(Dockerfile|Containerfile)[^/]*$|\.(ya?ml|md)$/.test(f))
    : files;
  const problems = [];
  let count = 0;
  for (const file of tracked) {
    let text;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const r of imageReferences(file, text)) {
      count++;
      if (r.reason) problems.push(`${r.file}:${r.line}: image ${r.ref} ${r.reason}: pin an exact version tag (and a digest where it is known)`);
    }
  }
  if (all) {
    const nodeVersion = readFileSync('.node-version', 'utf8').trim();
    const base = /^ARG BASE_IMAGE=\S*node:(\S+?)-/m.exec(readFileSync('Dockerfile', 'utf8'));
    if (base?.[1] !== nodeVersion) problems.push(`Dockerfile: BASE_IMAGE's Node.js (${base?.[1] ?? 'none'}) is not .node-version's ${nodeVersion}`);
  }
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`image pins: ${count} references, all pinned`);
}

main(process.argv.slice(2));
