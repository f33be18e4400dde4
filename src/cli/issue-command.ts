import { issueAll } from '../issue/issue-run.js';
import { configFor, logFor, parseCommand, securityGate } from './cli-options.js';

export async function runIssue(args: string[]): Promise<number> {
  const values = parseCommand(args, { cert: { type: 'string', multiple: true }, force: { type: 'boolean' } });
  const config = await configFor(values);
  if (!config) return 2;
  const log = logFor(values, config);
  if (!(await securityGate(config, log))) return 2;
  const ac = new AbortController();
  const stop = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const outcomes = await issueAll(config, log, { only: values.cert ?? [], force: values.force ?? false }, ac.signal);
  const unknown = (values.cert ?? []).filter((n) => !outcomes.some((o) => o.name === n));
  for (const n of unknown) process.stderr.write(`certfleet: no certificate named ${JSON.stringify(n)} in the config\n`);
  for (const o of outcomes) {
    process.stdout.write(`${o.name}: ${o.result}${o.detail ? ` (${o.detail})` : ''}\n`);
    for (const d of o.deploy ?? []) if (d.result !== 'ok') process.stdout.write(`  ${d.describe}: ${d.result} (${d.error ?? ''})\n`);
  }
  if (unknown.length) return 2;
  return outcomes.some((o) => o.result === 'failed' || o.deploy?.some((d) => d.result !== 'ok')) ? 1 : 0;
}
