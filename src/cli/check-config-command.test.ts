import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCheckConfig } from './check-config-command.js';

let dir: string;
let out: string[];
let err: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-check-'));
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((t) => { out.push(String(t)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((t) => { err.push(String(t)); return true; });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function check(yaml: string): Promise<{ rc: number; file: string }> {
  const file = path.join(dir, 'certfleet.yaml');
  await writeFile(file, yaml);
  return { rc: await runCheckConfig(['--config', file]), file };
}

const config = (provider: string, deploy: string) => `acme: { directory: https://ca.test/dir }
dns:
  providers:
    home: ${provider}
certificates:
  - domains: [web.example.test]
    dns: home
    deploy:
${deploy}`;

describe('check-config: programs', () => {
  it('reports each hook and exec-provider program that spawn would not find or could not run, with file:line:column and field path', async () => {
    const notExec = path.join(dir, 'not-exec.sh');
    await writeFile(notExec, '#!/bin/sh\n', { mode: 0o644 });
    await writeFile(path.join(dir, 'relative.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const { rc, file } = await check(config('{ type: exec, command: [/nonexistent/dns-hook, --zone, x] }', `      - hook: [/nonexistent/reload, --quiet]
      - hook: "no-such-program-xyz --flag"
      - hook: { command: [${notExec}] }
      - hook: { command: [./relative.sh], cwd: ${dir} }
      - hook: { command: ["true"], env: { PATH: ${dir} } }
      - hook: [/bin/true]
`));
    expect(rc).toBe(2);
    expect(out).toEqual([]);
    const lines = err.join('').trim().split('\n');
    expect(lines[0]).toBe('certfleet: invalid config:');
    expect(lines.slice(1)).toEqual([
      `${file}:4:35: dns.providers.home.command[0]: program "/nonexistent/dns-hook" does not exist`,
      `${file}:9:16: certificates[0].deploy[0].hook[0]: program "/nonexistent/reload" does not exist`,
      `${file}:10:15: certificates[0].deploy[1].hook: program "no-such-program-xyz" is not in the PATH the program gets (${process.env.PATH})`,
      `${file}:11:27: certificates[0].deploy[2].hook.command[0]: program "${notExec}" is not executable`,
      // PATH from the hook's own env: spawn searches that one, and true is not in it.
      `${file}:13:27: certificates[0].deploy[4].hook.command[0]: program "true" is not in the PATH the program gets (${dir})`,
    ]);
  });

  it('a config whose programs all exist is valid', async () => {
    const { rc } = await check(config('{ type: exec, command: [/bin/true] }', '      - hook: "true --flag"\n'));
    expect(err.join('')).toBe('');
    expect(rc).toBe(0);
  });
});

describe('check-config: shell syntax in a command string', () => {
  it('hook: "a && b" is refused with both fixes, at the hook\'s field path', async () => {
    const { rc, file } = await check(config('{ type: exec, command: [/bin/true] }', '      - hook: "systemctl reload nginx && touch /tmp/done"\n'));
    expect(rc).toBe(2);
    const text = err.join('');
    expect(text).toContain(`${file}:9:15: certificates[0].deploy[0].hook: "systemctl reload nginx && touch /tmp/done" contains the shell syntax "&&", but a command never runs through a shell`);
    expect(text).toContain('Write an argv list ([program, arg, ...]) if it is meant literally, or run a shell on purpose: [/bin/sh, -c, "systemctl reload nginx && touch /tmp/done"]');
  });

  it('the long form, the exec provider and a container exec are refused the same way', async () => {
    const { rc } = await check(config('{ type: exec, command: "dns-hook | tee /tmp/log" }', '      - hook: { command: "reload $(cat /run/x)" }\n      - container: { exec: { containers: [nginx], command: "nginx -s reload; true" } }\n'));
    expect(rc).toBe(2);
    const text = err.join('');
    expect(text).toMatch(/dns\.providers\.home\.command: "dns-hook \| tee \/tmp\/log" contains the shell syntax "\|"/);
    expect(text).toMatch(/certificates\[0\]\.deploy\[0\]\.hook\.command: "reload \$\(cat \/run\/x\)" contains the shell syntax "\$\("/);
    expect(text).toMatch(/certificates\[0\]\.deploy\[1\]\.container\.exec\.command: "nginx -s reload; true" contains the shell syntax ";"/);
  });
});

describe('check-config: env and pass_env', () => {
  it('a bad variable name or a non-map env is reported with the problem of the hook itself, not only "expected one of hook, …"', async () => {
    const { rc, file } = await check(config('{ type: exec, command: [/bin/true], pass_env: [bad-name] }', '      - hook: { command: [/bin/true], env: not-a-map }\n      - hook: { command: [/bin/true], pass_env: [API TOKEN] }\n'));
    expect(rc).toBe(2);
    expect(err.join('').trim().split('\n').slice(1)).toEqual([
      `${file}:4:58: dns.providers.home.pass_env[0]: expected a variable name like MY_TOKEN`,
      `${file}:9:9: certificates[0].deploy[0]: hook: env: Invalid input: expected record, received string`,
      `${file}:10:50: certificates[0].deploy[1].hook.pass_env[0]: expected a variable name like MY_TOKEN`,
    ]);
  });
});
