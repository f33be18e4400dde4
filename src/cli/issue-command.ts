import { certificateName } from '../config/schema.js';
import { issueAll } from '../daemon/issue-run.js';
import { configFor, logFor, parseCommand, securityGate } from './cli-options.js';
import { issueLine } from './issue-report.js';
import { logDraftMode, printPlan } from './plan-output.js';
import { progressFor, type IssueProgress } from './issue-progress.js';

/** Exit 0: every selected certificate is valid and none is waiting out a failure; 1: one is not, or a deploy action failed; 2: usage, config or production mode. */
export async function runIssue(args: string[]): Promise<number> {
  const values = parseCommand(args, { cert: { type: 'string', multiple: true }, force: { type: 'boolean' } });
  const config = await configFor(values);
  if (!config) return 2;
  const names = config.certificates.map(certificateName).filter((n) => !values.cert?.length || values.cert.includes(n));
  let progress: IssueProgress | undefined;
  const log = logFor(values, config, undefined, (format) => (progress = progressFor(process.stderr, format, names)));
  if (!(await securityGate(config, log))) return 2;
  if (config.draft) {
    // DNSroboCert's draft: what this run would obtain, and nothing ordered, swept or deployed.
    logDraftMode(log, values.config);
    const { planCertificates } = await import('../daemon/plan.js');
    const only = values.cert ?? [];
    const plan = await planCertificates(config, AbortSignal.timeout(60_000), Date.now(), { run: 'once', only, force: values.force ?? false });
    printPlan(plan, 'draft');
    const unknown = only.filter((n) => !plan.some((p) => p.name === n));
    for (const n of unknown) process.stderr.write(`certfleet: no certificate named ${JSON.stringify(n)} in the config\n`);
    return unknown.length ? 2 : 0;
  }
  const ac = new AbortController();
  const stop = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const outcomes = await issueAll(config, log, { only: values.cert ?? [], force: values.force ?? false }, ac.signal);
  const unknown = (values.cert ?? []).filter((n) => !outcomes.some((o) => o.name === n));
  for (const n of unknown) process.stderr.write(`certfleet: no certificate named ${JSON.stringify(n)} in the config\n`);
  progress?.finish(outcomes);
  const now = Date.now();
  let failed = false;
  for (const o of outcomes) {
    const line = issueLine(o, now);
    failed ||= line.failed;
    process.stdout.write(`${line.text}\n`);
    for (const d of o.deploy ?? []) if (d.result !== 'ok') process.stdout.write(`  ${d.describe}: ${d.result} (${d.error ?? ''})\n`);
  }
  if (unknown.length) return 2;
  return failed ? 1 : 0;
}
