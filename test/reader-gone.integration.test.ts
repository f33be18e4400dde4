import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CERTFLEET_BIN } from './support/run-certfleet.js';

describe('a reader that goes before the output ends (a shell pipe into head)', () => {
  it('certfleet schema | head -1: the first line, exit 0, nothing on stderr (it was an EPIPE stack trace)', () => {
    // The schema is over 100 KB: more than a pipe holds, so the writes after head's exit fail.
    const piped = spawnSync('bash', ['-c', 'set -o pipefail; "$0" schema | head -1', CERTFLEET_BIN], { encoding: 'utf8' });
    expect({ status: piped.status, stderr: piped.stderr, stdout: piped.stdout }).toEqual({ status: 0, stderr: '', stdout: '{\n' });
  });
});
