import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/certfleet');
/** The key of the provider: the fake API below echoes it back in its error, as some APIs echo request headers. */
const apiKey = `pdns-${randomBytes(20).toString('hex')}`;

let stack: LocalStack;
let echo: Server;
let notifier: Server;
const notified: string[] = [];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
  }));
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

let echoUrl: string;
let notifyUrl: string;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  // A PowerDNS-shaped API that refuses every write and puts the request's headers into its error.
  echo = createServer((req, res) => {
    void body(req).then(() => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `rejected request with headers ${JSON.stringify(req.headers)}` }));
    });
  });
  notifier = createServer((req, res) => void body(req).then((b) => { notified.push(b); res.end('ok'); }));
  [echoUrl, notifyUrl] = await Promise.all([listen(echo), listen(notifier)]);
});

afterAll(async () => {
  await new Promise((r) => echo?.close(r));
  await new Promise((r) => notifier?.close(r));
  await stack?.stop();
});

describe('a provider error that echoes the API key', () => {
  it('reaches no output: issue stdout and stderr, state/, list, the failure notification', async () => {
    const store = path.join(stack.dir, 'store');
    const file = path.join(stack.dir, 'certfleet.yaml');
    const text = localConfigText({
      store, pebble: stack.pebble, pdns: { ...stack.pdns, apiUrl: echoUrl }, apiKey: '${CERTFLEET_PDNS_API_KEY}',
      extraTop: `notify:\n  - webhook: { url: ${notifyUrl}/hook }\n`,
      certs: '  - name: www\n    domains: [www.example.test]\n    dns: home\n',
    });
    await writeFile(file, text);
    const env = { ...process.env, CERTFLEET_PDNS_API_KEY: apiKey };
    const issue = await run(bin, ['issue', '--config', file, '--log-format', 'json'], { env }).then(
      () => { throw new Error('issue should have failed'); },
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(issue.code).toBe(1);
    expect(issue.stdout).toContain('www: FAILED');
    expect(issue.stdout).toContain('[redacted]'); // the echoed header is there, its value is not
    const list = await run(bin, ['list', '--config', file, '--json'], { env });
    const states = await Promise.all((await readdir(path.join(store, 'state'))).map((f) => readFile(path.join(store, 'state', f), 'utf8')));
    expect(notified.length).toBeGreaterThan(0);
    const outputs = { issueStdout: issue.stdout, issueStderr: issue.stderr, list: list.stdout, state: states.join('\n'), notify: notified.join('\n') };
    for (const [where, out] of Object.entries(outputs)) expect({ where, leaked: out.includes(apiKey) }).toEqual({ where, leaked: false });
  });
});
