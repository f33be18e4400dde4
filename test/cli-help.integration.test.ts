import { runCertfleet, type CertfleetRun } from './support/run-certfleet.js';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/command-help.js';


function certfleet(args: string[], env: Record<string, string> = {}): Promise<CertfleetRun> {
  return runCertfleet(args, { env: { CERTFLEET_CONFIG: '', ...env } });
}

describe('help on every command', () => {
  it('help issue, issue --help and list -h exit 0 with that command\'s usage and examples', async () => {
    for (const args of [['help', 'issue'], ['issue', '--help'], ['list', '-h']]) {
      const r = await certfleet(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: certfleet ${args[0] === 'help' ? args[1]! : args[0]!} `));
      expect(r.stdout).toContain('examples:');
    }
  });

  it('every command of the table has its usage', async () => {
    for (const c of COMMANDS) {
      const r = await certfleet(['help', c.name]);
      expect(r.code, c.name).toBe(0);
      expect(r.stdout).toContain(`usage: certfleet ${c.name}`);
    }
    const overview = await certfleet(['help']);
    expect(overview.code).toBe(0);
    for (const c of COMMANDS) expect(overview.stdout).toContain(`  ${c.name} `);
  });

  it('a misspelt command or option gets a "did you mean", exit 2', async () => {
    const cmd = await certfleet(['isue']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "isue" (did you mean "issue"?)');
    const opt = await certfleet(['issue', '--frce']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('unknown option --frce (did you mean "--force"?)');
  });

  it('--config defaults to $CERTFLEET_CONFIG, then /etc/certfleet/certfleet.yaml', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-help-'));
    try {
      const file = path.join(dir, 'c.yaml');
      await writeFile(file, 'acme: { directory: selfsigned }\nstore: { path: ./store }\ndns: { providers: {} }\n');
      const r = await certfleet(['check-config'], { CERTFLEET_CONFIG: file });
      expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining(`${file}: valid`) });
      const none = await certfleet(['check-config']);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('/etc/certfleet/certfleet.yaml');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints bash and zsh completions that the shells accept', async () => {
    const bash = await certfleet(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F _certfleet certfleet');
    await promisify(execFile)('bash', ['-n', '-c', bash.stdout]);
    const zsh = await certfleet(['completion', 'zsh']);
    expect(zsh.stdout.startsWith('#compdef certfleet')).toBe(true);
    for (const c of COMMANDS) expect(bash.stdout).toContain(` ${c.name}`);
  });
});
