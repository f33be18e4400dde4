import { readStatuses } from '../scheduler/certificate-status.js';
import { storeFor } from '../store/store-for-config.js';
import { configFor, parseCommand } from './cli-options.js';

export async function runList(args: string[]): Promise<number> {
  const values = parseCommand(args, { json: { type: 'boolean' } });
  const config = await configFor(values);
  if (!config) return 2;
  // `list` reads a few local files: there is nothing to cancel but the process itself.
  const statuses = await readStatuses(config, storeFor(config), Date.now(), new AbortController().signal);
  const rows = statuses.map((s, i) => {
    const spec = config.certificates[i]!;
    return {
      name: s.name,
      domains: spec.domains,
      keyType: spec.key_type,
      notAfter: s.stored?.notAfter ?? null,
      daysLeft: s.stored?.daysLeft ?? null,
      nextRenewal: s.decision.due ? 'now' : new Date(s.dueAt).toISOString(),
      why: s.decision.reason,
      lastResult: s.last ? `${s.last.result} ${s.last.at ?? ''}${s.last.error ? `: ${s.last.error}` : ''}` : s.stored ? `issued ${s.stored.issuedAt}` : 'none',
    };
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = [['NAME', 'DOMAINS', 'KEY', 'NOT AFTER', 'DAYS', 'NEXT RENEWAL', 'LAST RESULT'], ...rows.map((r) => [r.name, r.domains.join(','), r.keyType, r.notAfter ?? '-', r.daysLeft === null ? '-' : String(r.daysLeft), r.nextRenewal, r.lastResult])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}
