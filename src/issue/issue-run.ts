// Kept for scripts/bench*.mjs and cli/issue-report.ts, which import it here; the lead moves them to
// src/daemon/issue-run.ts (issue 14), then this file goes.
export { issueAll, type IssueOutcome, type IssueRunOptions } from '../daemon/issue-run.js';
