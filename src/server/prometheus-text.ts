/**
 * The pieces of the Prometheus text exposition format (version 0.0.4) that every metric writer
 * here shares: the registry's fixed metrics (prometheus-registry.ts) and the per-certificate
 * series written by hand (certificate-series.ts) must escape and format alike.
 */

/** What Prometheus expects of a scrape of the 0.0.4 text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value: `\`, `"` and newline escaped (checked first: nearly every value is plain). */
export function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

/** A HELP text: `\` and newline escaped, quotes left as they are (the format says so). */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value; the format spells the non-finite ones `+Inf`, `-Inf` and `NaN`. */
export function formatValue(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

/** The `# HELP` and `# TYPE` lines that open every metric's block. */
export function metricHeader(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}
