import type { Logger } from '../log.js';
import type { PlanLine } from '../daemon/plan.js';

/** The one line that says draft mode is on (an event name plus fields, as every log line). */
export function logDraftMode(log: Logger, config: unknown): void {
  log.warn({ config, why: 'draft: true in the config', effect: 'planning only; nothing is ordered, written or deployed' }, 'draft_mode');
}

/** What `run --dry-run`, a draft `run` and a draft `issue` print: one line per certificate, then the count. */
export function printPlan(plan: PlanLine[], what: 'dry run' | 'draft'): void {
  for (const p of plan) process.stdout.write(`${p.name}: ${p.action}${p.at ? ` until ${p.at}` : ''} (${p.reason})\n`);
  process.stdout.write(`${what}: ${plan.filter((p) => p.action !== 'keep').length} of ${plan.length} would be obtained now; nothing was changed\n`);
}
