import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../../../test/support/test-log.js';
import { lexiconCacheDir, lexiconCatalog, lexiconProblems, type CatalogOptions } from './lexicon-catalog.js';

let dir: string;
let opts: CatalogOptions;
/** The system Python through a wrapper that counts its runs, so a test sees whether the cache answered. */
let python: string;
const runs = async () => (await readFile(`${python}.runs`, 'utf8').catch(() => '')).length;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-lexicon-catalog-'));
  python = path.join(dir, 'counting-python');
  await writeFile(python, `#!/bin/sh\nprintf x >> "${python}.runs"\nexec /usr/bin/python3 "$@"\n`);
  await chmod(python, 0o755);
  opts = { cacheDir: path.join(dir, 'cache'), log: captureLog().log, signal: AbortSignal.timeout(60_000) };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('lexicon catalog', () => {
  it('lists lexicon 3.11\'s providers and each one\'s options, introspected from its own argument parser', async () => {
    const result = await lexiconCatalog(python, opts);
    if (!('catalog' in result)) throw new Error(result.problem);
    expect(result.catalog.version).toBe('3.11.7');
    expect(Object.keys(result.catalog.providers).length).toBeGreaterThan(70);
    expect(result.catalog.providers.powerdns).toEqual({ available: true, options: ['auth_token', 'pdns_server', 'pdns_server_id', 'pdns_disable_notify'] });
    expect(result.catalog.providers.cloudflare?.options).toContain('auth_token');
  });

  it('is cached per Python and lexicon version: a second look runs no Python, a changed install is looked at again', async () => {
    const before = await runs();
    const first = await lexiconCatalog(python, opts);
    expect(await runs()).toBe(before);
    // As after an upgrade: the metadata directory the entry was checked against is not the same.
    const [file] = (await import('node:fs')).readdirSync(opts.cacheDir).map((f) => path.join(opts.cacheDir, f));
    const entry = JSON.parse(await readFile(file!, 'utf8')) as { stampMtimeMs: number };
    await writeFile(file!, JSON.stringify({ ...entry, stampMtimeMs: entry.stampMtimeMs - 1 }));
    const again = await lexiconCatalog(python, opts);
    expect(await runs()).toBe(before + 1);
    expect(again).toEqual(first);
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(lexiconCacheDir({ XDG_CACHE_HOME: '/var/cache/u', HOME: '/home/u' })).toBe('/var/cache/u/certfleet/lexicon');
    expect(lexiconCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.cache/certfleet/lexicon');
  });
});

describe('lexicon entries checked against lexicon', () => {
  const entry = (provider: string, options: string[], py = python) => ({ id: 'dns1', provider, python: py, options });

  it('a valid entry has no problem', async () => {
    expect(await lexiconProblems([entry('powerdns', ['auth_token', 'pdns_server'])], opts)).toEqual([]);
  });

  it('a misspelt provider: did you mean', async () => {
    expect(await lexiconProblems([entry('powerdsn', [])], opts)).toEqual([
      { at: ['dns', 'providers', 'dns1', 'provider'], message: 'lexicon has no provider "powerdsn" (did you mean "powerdns"?); `lexicon --help` lists them' },
    ]);
  });

  it('a misspelt option: did you mean, and the provider\'s options', async () => {
    expect(await lexiconProblems([entry('powerdns', ['auth_tokn', 'pdns_server', 'zone_name'])], opts)).toEqual([
      { at: ['dns', 'providers', 'dns1', 'auth_tokn'], message: 'lexicon provider powerdns has no option "auth_tokn" (did you mean "auth_token"?); its options: auth_token, pdns_server, pdns_server_id, pdns_disable_notify' },
      { at: ['dns', 'providers', 'dns1', 'zone_name'], message: 'lexicon provider powerdns has no option "zone_name"; its options: auth_token, pdns_server, pdns_server_id, pdns_disable_notify' },
    ]);
  });

  it('no lexicon, or no Python: how to install it', async () => {
    const bare = path.join(dir, 'bare-python');
    await writeFile(bare, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    await chmod(bare, 0o755);
    const [noLexicon] = await lexiconProblems([entry('powerdns', [], bare)], opts);
    expect(noLexicon).toEqual({ at: ['dns', 'providers', 'dns1', 'type'], message: `lexicon is not installed for ${bare}: install it with \`apt-get install python3-lexicon\` (Debian, Ubuntu), or \`pip install dns-lexicon\` for that Python, or set python: to the Python that has it` });
    const [noPython] = await lexiconProblems([entry('powerdns', [], 'python3')], { ...opts, env: { PATH: dir } });
    expect(noPython?.message).toBe(`python "python3" is not in the PATH the program gets (${dir}): lexicon needs Python 3; install it with \`apt-get install python3-lexicon\` (Debian, Ubuntu), or \`pip install dns-lexicon\` for that Python, or set python: to the Python that has it`);
  });
});
