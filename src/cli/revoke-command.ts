import { composeRenewer } from '../daemon/compose.js';
import { errorMessage } from '../errors.js';
import { configFor, logFor, parseCommand, UsageError } from './cli-options.js';

/** RFC 5280 CRLReason codes that ACME accepts from a subscriber. */
const REASONS: Record<string, number> = { unspecified: 0, keyCompromise: 1, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 };

export async function runRevoke(args: string[]): Promise<number> {
  const values = parseCommand(args, { cert: { type: 'string' }, reason: { type: 'string' } });
  if (!values.cert) throw new UsageError('revoke needs --cert NAME');
  const reasonText = values.reason ?? 'unspecified';
  const reason = /^\d+$/.test(reasonText) ? Number(reasonText) : REASONS[reasonText];
  if (reason === undefined || !Object.values(REASONS).includes(reason)) {
    throw new UsageError(`--reason must be one of ${Object.entries(REASONS).map(([k, v]) => `${k} (${v})`).join(', ')}`);
  }
  const config = await configFor(values);
  if (!config) return 2;
  const log = logFor(values, config);
  const { renewer } = composeRenewer(config, { log });
  const signal = AbortSignal.timeout(60_000);
  let revoked;
  try {
    revoked = await renewer.revoke(values.cert, reason, signal);
  } catch (err) {
    log.error({ cert: values.cert, error: errorMessage(err) }, 'revoke_failed');
    process.stdout.write(`${values.cert}: revocation failed (${errorMessage(err)})\n`);
    return 1;
  } finally {
    await renewer.close();
  }
  if (!revoked) {
    process.stderr.write(`certfleet: no certificate named ${JSON.stringify(values.cert)} in ${config.store.type === 'postgres' ? 'the PostgreSQL store' : config.store.path}\n`);
    return 1;
  }
  log.info({ cert: values.cert, serial: revoked.serial, reason }, 'revoked');
  process.stdout.write(`${values.cert}: revoked (serial ${revoked.serial})\n`);
  return 0;
}
