/**
 * The per-certificate series of /metrics, kept in one Map and written as Prometheus text by
 * hand. prom-client's labelled gauges cost about 70 µs per certificate to set and 110 µs to
 * scrape (label hashing and formatting, measured on this machine): at 100,000 certificates a
 * start spent 7 s setting them and every scrape blocked the daemon for 11 s. The text is the same
 * as prom-client's (HELP, TYPE, one line per series).
 */

const RESULTS = ['issued', 'renewed', 'failed'] as const;
type AttemptResult = (typeof RESULTS)[number];

interface Series {
  /** `{name="<escaped>"`, made once: a scrape writes it five times per certificate. */
  label: string;
  /** Unix seconds. */
  notAfter?: number;
  next?: number;
  failures: number;
  issued: 0 | 1;
  last: Partial<Record<AttemptResult, number>>;
}

const HEADERS = {
  notAfter: ['certfleet_certificate_not_after_seconds', 'gauge', 'Expiry of the current certificate (Unix seconds)'],
  next: ['certfleet_certificate_next_renewal_seconds', 'gauge', 'When the certificate is next looked at: renewal, retry or ARI check (Unix seconds)'],
  failures: ['certfleet_issuance_failures_total', 'counter', 'Failed issuance attempts by certificate'],
  last: ['certfleet_certificate_last_attempt', 'gauge', 'When the last issuance attempt with this result ended (Unix seconds)'],
  issued: ['certfleet_certificate_issued', 'gauge', '1 when a certificate is stored for this name, 0 when it was never issued'],
} as const;

export class CertificateSeries {
  private readonly byName = new Map<string, Series>();

  /** One outcome of `name`: `at` (Unix seconds) is when an attempt with `result` ended. */
  record(name: string, o: { result: AttemptResult | 'skipped'; at: number; next?: number | undefined; notAfter?: number | undefined }): void {
    let s = this.byName.get(name);
    if (!s) {
      s = { label: `{name="${label(name)}"`, failures: 0, issued: 0, last: {} };
      this.byName.set(name, s);
    }
    if (o.result !== 'skipped') s.last[o.result] = o.at;
    if (o.result === 'failed') s.failures++;
    s.issued = o.notAfter === undefined ? 0 : 1;
    if (o.notAfter !== undefined) s.notAfter = o.notAfter;
    if (o.next !== undefined) s.next = o.next;
  }

  forget(name: string): void {
    this.byName.delete(name);
  }

  /** The series as Prometheus text, a block per metric as prom-client writes them. */
  render(): string {
    const blocks: string[] = [];
    const block = (key: keyof typeof HEADERS, lines: (s: Series, out: string[]) => void) => {
      const [metric, type, help] = HEADERS[key];
      const out = [`# HELP ${metric} ${help}`, `# TYPE ${metric} ${type}`];
      for (const s of this.byName.values()) lines(s, out);
      blocks.push(out.join('\n'));
    };
    block('notAfter', (s, out) => { if (s.notAfter !== undefined) out.push(`${HEADERS.notAfter[0]}${s.label}} ${value(s.notAfter)}`); });
    block('next', (s, out) => { if (s.next !== undefined) out.push(`${HEADERS.next[0]}${s.label}} ${value(s.next)}`); });
    block('failures', (s, out) => { out.push(`${HEADERS.failures[0]}${s.label}} ${s.failures}`); });
    block('last', (s, out) => {
      for (const r of RESULTS) if (s.last[r] !== undefined) out.push(`${HEADERS.last[0]}${s.label},result="${r}"} ${value(s.last[r])}`);
    });
    block('issued', (s, out) => { out.push(`${HEADERS.issued[0]}${s.label}} ${s.issued}`); });
    return `${blocks.join('\n\n')}\n`;
  }
}

/** Prometheus label escaping (certificate names are plain, but the format is kept whatever they are). */
function label(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function value(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}
