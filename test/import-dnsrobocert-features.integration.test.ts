import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DNSROBOCERT_FIXTURES, importThenCheck } from './support/run-import-dnsrobocert.js';

/*
 * DNSroboCert's own valid configs whose translation uses what issue 17 adds beside the import:
 * `type: lexicon`, top-level `draft`, a PFX without a passphrase. check-config accepts them
 * only where those are merged; on the import's branch alone this file fails, by design.
 */
let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-import-drc-features-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** The variables the fixtures refer to (test-environment-variable-injection.yml as its test sets them, with a real lexicon provider). */
const ENV = { AUTH_TOKEN: 'do-token', DRAFT_VALUE: 'true', PROVIDER: 'digitalocean', ADDITIONAL_CERT: 'test3.example.com' };

const MOCKED = /provider: dummy|additional_config:/;

describe('certfleet import dnsrobocert: DNSroboCert configs that need the issue 17 features', () => {
  it('each imports (exit 0) and its output passes check-config unchanged', async () => {
    const group = path.join(DNSROBOCERT_FIXTURES, 'needs-issue-17-features');
    const files = (await readdir(group)).filter((f) => f.endsWith('.yml')).sort();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const { imported, checked } = await importThenCheck(path.join(group, f), path.join(dir, `${f}.yaml`), ENV);
      expect({ f, code: imported.code }).toEqual({ f, code: 0 });
      // Profiles on a lexicon provider certfleet has natively become that provider (digitalocean here).
      const source = await readFile(path.join(group, f), 'utf8');
      if (/provider: digitalocean/.test(source)) expect({ f, output: await readFile(path.join(dir, `${f}.yaml`), 'utf8') }).toEqual({ f, output: expect.stringMatching(/^ +type: digitalocean$/m) });
      if (MOCKED.test(await readFile(path.join(group, f), 'utf8'))) {
        // DNSroboCert's tests mock lexicon: a provider "dummy" and an option "additional_config" that
        // lexicon does not have. The translation keeps them, and check-config (which asks lexicon)
        // reports exactly those, nothing else.
        const problems = checked.stderr.split('\n').filter((l) => /:\d+:\d+: /.test(l));
        expect({ f, code: checked.code }).toEqual({ f, code: 2 });
        expect(problems.length).toBeGreaterThan(0);
        for (const p of problems) expect(p).toMatch(/dns\.providers\.[\w-]+\.(provider: lexicon has no provider "dummy"|additional_config: lexicon provider \w+ has no option "additional_config")/);
      } else {
        expect({ f, code: checked.code, stderr: checked.stderr }).toEqual({ f, code: 0, stderr: '' });
      }
    }
  });
});
