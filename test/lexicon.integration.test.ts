import { runCertfleet, type CertfleetRun } from './support/run-certfleet.js';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';

let stack: LocalStack;

beforeAll(async () => { stack = await startLocalStack(['example.test']); });
afterAll(() => stack?.stop());

function certfleet(...args: string[]): Promise<CertfleetRun> {
  return runCertfleet(args);
}

async function txtRecordsLeft(): Promise<string[]> {
  const res = await fetch(`${stack.pdns.apiUrl}/api/v1/servers/localhost/zones/example.test.`, { headers: { 'x-api-key': stack.pdns.apiKey } });
  const z = await res.json() as { rrsets: { name: string; type: string }[] };
  return z.rrsets.filter((r) => r.type === 'TXT').map((r) => r.name);
}

describe('type: lexicon, through lexicon\'s own powerdns provider', () => {
  it('certfleet issue gets an apex + wildcard certificate through pebble and leaves no TXT record behind', async () => {
    const tokenFile = path.join(stack.dir, 'pdns-token');
    await writeFile(tokenFile, `${stack.pdns.apiKey}\n`, { mode: 0o600 });
    // The system Python behind a wrapper that keeps each request: how many helper runs, with which records.
    const requests = path.join(stack.dir, 'requests');
    await mkdir(requests);
    const python = path.join(stack.dir, 'python');
    await writeFile(python, `#!/bin/sh\ncat > ${requests}/$$.json\nexec /usr/bin/python3 "$@" < ${requests}/$$.json\n`);
    await chmod(python, 0o755);
    const file = path.join(stack.dir, 'certfleet.yaml');
    await writeFile(file, localConfigText({
      store: path.join(stack.dir, 'store'), pebble: stack.pebble, pdns: stack.pdns,
      extraProviders: `    lx:
      type: lexicon
      provider: powerdns
      python: ${python}
      auth_token_file: ${tokenFile}
      pdns_server: ${stack.pdns.apiUrl}
      propagation:
        nameservers: [${stack.pdns.dnsAddress}]
        timeout: 10s
`,
      certs: '  - name: web\n    domains: [example.test, "*.example.test"]\n    dns: lx\n',
    }));
    expect(await certfleet('check-config', '--config', file)).toMatchObject({ code: 0 });
    const issued = await certfleet('issue', '--config', file, '--log-format', 'json');
    expect(issued.stdout).toContain('web: issued');
    expect(issued.code).toBe(0);
    const cert = new X509Certificate(await readFile(path.join(stack.dir, 'store/live/web/cert.pem')));
    expect(cert.subjectAltName).toBe('DNS:example.test, DNS:*.example.test');
    expect(await txtRecordsLeft()).toEqual([]);
    // One process per batch, not per record: the apex's and the wildcard's values go in one run each way.
    // (check-config's run reads lexicon's option lists: it carries no records.)
    const runs = await Promise.all((await readdir(requests)).map(async (f) => JSON.parse(await readFile(path.join(requests, f), 'utf8')) as { action: string; records?: unknown[] }));
    expect(runs.filter((r) => r.records).map((r) => `${r.action} ${r.records!.length}`).sort()).toEqual(['append 2', 'delete 2']);
  });
});
