import { certificateName } from '../config/schema.js';
import { composeRenewer } from '../daemon/compose.js';
import { configFor, logFor, parseCommand, UsageError } from './cli-options.js';

/** `certfleet deploy`: the deploy actions again, for the current certificate, without renewing. */
export async function runDeployCommand(args: string[]): Promise<number> {
  const values = parseCommand(args, { cert: { type: 'string' } });
  if (!values.cert) throw new UsageError('deploy needs --cert NAME');
  const config = await configFor(values);
  if (!config) return 2;
  const spec = config.certificates.find((c) => certificateName(c) === values.cert);
  if (!spec) throw new UsageError(`no certificate named ${JSON.stringify(values.cert)} in the config`);
  const { renewer } = composeRenewer(config, { log: logFor(values, config) });
  const results = await renewer.redeploy(spec, AbortSignal.timeout(30 * 60_000));
  if (!results) {
    process.stderr.write(`certfleet: ${values.cert} has no certificate yet; run certfleet issue first\n`);
    return 1;
  }
  for (const r of results) process.stdout.write(`${r.describe}: ${r.result}${r.error ? ` (${r.error})` : ''}\n`);
  if (results.length === 0) process.stdout.write(`${values.cert}: no deploy actions configured\n`);
  return results.some((r) => r.result !== 'ok') ? 1 : 0;
}
