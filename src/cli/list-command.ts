import { certificateName } from '../config/schema.js';
import { decideRenewal } from '../scheduler/renewal-policy.js';
import { configFor, parseCommand } from './cli-options.js';
import { storeFor } from '../store/store-for-config.js';

export async function runList(args: string[]): Promise<number> {
  const values = parseCommand(args, { json: { type: 'boolean' } });
  const config = await configFor(values);
  if (!config) return 2;
  const store = storeFor(config);
  const signal = AbortSignal.timeout(60_000);
  const rows = await Promise.all(config.certificates.map(async (c) => {
    const name = certificateName(c);
    const [meta, { state }] = await Promise.all([store.readMeta(name, signal), store.readState(name, signal)]);
    const due = decideRenewal(meta, { domains: c.domains, keyType: c.key_type, directory: config.acme.directory }, state, Date.now());
    return {
      name,
      domains: c.domains,
      keyType: c.key_type,
      notAfter: meta?.notAfter ?? null,
      daysLeft: meta ? Math.floor((Date.parse(meta.notAfter) - Date.now()) / 86_400_000) : null,
      nextRenewal: due.due ? 'now' : new Date(due.at).toISOString(),
      why: due.reason,
      lastResult: state.lastResult ? `${state.lastResult} ${state.lastAttempt ?? ''}${state.lastError ? `: ${state.lastError}` : ''}` : meta ? `issued ${meta.issuedAt}` : 'none',
    };
  }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = [['NAME', 'DOMAINS', 'KEY', 'NOT AFTER', 'DAYS', 'NEXT RENEWAL', 'LAST RESULT'], ...rows.map((r) => [r.name, r.domains.join(','), r.keyType, r.notAfter ?? '-', r.daysLeft === null ? '-' : String(r.daysLeft), r.nextRenewal, r.lastResult])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}
