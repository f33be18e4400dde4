import type { PlanLine } from '../daemon/plan.js';

/** The one log line of a command that finds `draft: true` in its config. */
export const DRAFT_LOG = 'draft mode (draft: true in the config): planning only; nothing is ordered, written or deployed';

/** What `run --dry-run`, a draft `run` and a draft `issue` print: one line per certificate, then the count. */
export function printPlan(plan: PlanLine[], what: 'dry run' | 'draft'): void {
  for (const p of plan) process.stdout.write(`${p.name}: ${p.action}${p.at ? ` until ${p.at}` : ''} (${p.reason})\n`);
  process.stdout.write(`${what}: ${plan.filter((p) => p.action !== 'keep').length} of ${plan.length} would be obtained now; nothing was changed\n`);
}
