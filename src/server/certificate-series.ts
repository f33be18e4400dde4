/**
 * The per-certificate series of /metrics, kept in one Map and written as Prometheus text by
 * hand. prom-client's labelled gauges cost about 70 µs per certificate to set and 110 µs to
 * scrape (label hashing and formatting, measured on this machine): at 100,000 certificates a
 * start spent 7 s setting them and every scrape blocked the daemon for 11 s. The text is the same
 * as the registry's gauges and counters write (HELP, TYPE, one line per series).
 */
import { escapeLabelValue, formatValue, metricHeader } from './prometheus-text.js';

const RESULTS = ['issued', 'renewed', 'failed'] as const;
type AttemptResult = (typeof RESULTS)[number];

/**
 * One certificate's series: a flat object of small integers, the same shape for every
 * certificate (docs/architecture.md, the memory budget per certificate: 80 bytes here instead
 * of about 200 with a label string, a nested object for the last attempts and a heap number per
 * timestamp). Times are stored by `packTime`.
 */
interface Series {
  notAfter: PackedTime | undefined;
  next: PackedTime | undefined;
  failures: number;
  issued: 0 | 1;
  lastIssued: PackedTime | undefined;
  lastRenewed: PackedTime | undefined;
  lastFailed: PackedTime | undefined;
}
const LAST = { issued: 'lastIssued', renewed: 'lastRenewed', failed: 'lastFailed' } as const;

/**
 * A time computed as a double (`Date.parse(...) / 1000`) stays a 16-byte heap number of its own
 * even when it is a whole number; an int32 (`| 0`) is kept inside the object as a small integer.
 * A whole second within 34 years of 2024 is kept as its distance from 2024 (a small integer with
 * V8's pointer compression too, where they stop at 2^30); a fraction as the number it is; a
 * whole second further off in a one-element array, so none of them can be taken for another.
 */
type PackedTime = number | [number];
const EPOCH = 1_704_067_200;
function packTime(v: number): PackedTime {
  if (!Number.isInteger(v)) return v;
  return Math.abs(v - EPOCH) < 2 ** 30 ? (v - EPOCH) | 0 : [v];
}
const unpackTime = (v: PackedTime): number => (typeof v !== 'number' ? v[0] : Number.isInteger(v) ? v + EPOCH : v);

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
      s = { notAfter: undefined, next: undefined, failures: 0, issued: 0, lastIssued: undefined, lastRenewed: undefined, lastFailed: undefined };
      this.byName.set(name, s);
    }
    if (o.result !== 'skipped') s[LAST[o.result]] = packTime(o.at);
    if (o.result === 'failed') s.failures++;
    s.issued = o.notAfter === undefined ? 0 : 1;
    if (o.notAfter !== undefined) s.notAfter = packTime(o.notAfter);
    if (o.next !== undefined) s.next = packTime(o.next);
  }

  forget(name: string): void {
    this.byName.delete(name);
  }

  /** The series as Prometheus text, a block per metric as the registry (prometheus-registry.ts) writes them. */
  render(): string {
    // `{name="<escaped>"` per certificate, made once per scrape (written five times each) and not kept.
    const labels = new Map<Series, string>();
    for (const [name, s] of this.byName) labels.set(s, `{name="${escapeLabelValue(name)}"`);
    const blocks: string[] = [];
    const block = (key: keyof typeof HEADERS, lines: (s: Series, label: string, out: string[]) => void) => {
      const [metric, type, help] = HEADERS[key];
      const out = metricHeader(metric, type, help);
      for (const [s, l] of labels) lines(s, l, out);
      blocks.push(out.join('\n'));
    };
    block('notAfter', (s, l, out) => { if (s.notAfter !== undefined) out.push(`${HEADERS.notAfter[0]}${l}} ${formatValue(unpackTime(s.notAfter))}`); });
    block('next', (s, l, out) => { if (s.next !== undefined) out.push(`${HEADERS.next[0]}${l}} ${formatValue(unpackTime(s.next))}`); });
    block('failures', (s, l, out) => { out.push(`${HEADERS.failures[0]}${l}} ${s.failures}`); });
    block('last', (s, l, out) => {
      for (const r of RESULTS) {
        const at = s[LAST[r]];
        if (at !== undefined) out.push(`${HEADERS.last[0]}${l},result="${r}"} ${formatValue(unpackTime(at))}`);
      }
    });
    block('issued', (s, l, out) => { out.push(`${HEADERS.issued[0]}${l}} ${s.issued}`); });
    return `${blocks.join('\n\n')}\n`;
  }
}

