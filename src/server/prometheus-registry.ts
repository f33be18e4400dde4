/**
 * The fixed metrics of /metrics (the daemon's and the ExternalDNS webhook's): counters, gauges
 * and histograms with label names, on a registry that writes the Prometheus text format. It
 * replaces prom-client (issue 16: idle memory at 1,000 certificates), four bundled packages
 * (with tdigest, bintrees, @opentelemetry/api) for a dozen metrics and 0.44 MB of the idle
 * daemon's live heap, measured after a full collection (a bare `node` pays far more to import
 * it, but the daemon touches most of the same Node code anyway). The text is what prom-client
 * 15 wrote for the same calls, so dashboards and the tests of /metrics see no change:
 * metrics in the order they were made, series in the order first seen, labels in `labelNames`
 * order, a histogram's `le` first. Misuse (a bad name, a negative increment) is a programming
 * error and throws TypeError or RangeError, as prom-client did.
 */
import { escapeLabelValue, formatValue, metricHeader, PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';

/** Label values by label name; numbers are written as `String(n)`. */
export type LabelValues<L extends string> = Readonly<Record<L, string | number>>;

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Registries that write this metric (usually one). */
  registers?: readonly Registry[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What a registry needs of a metric: its name, and its block of text at scrape time. */
interface Writable {
  readonly name: string;
  /** HELP, TYPE and one line per sample, without the final newline. */
  write(): string;
}

/** Writes its metrics' blocks, a blank line between them, as prom-client's text format did. */
export class Registry {
  readonly contentType: string = PROMETHEUS_CONTENT_TYPE;
  private readonly byName = new Map<string, Writable>();

  register(metric: Writable): void {
    if (this.byName.has(metric.name)) throw new TypeError(`a metric named ${metric.name} is already registered`);
    this.byName.set(metric.name, metric);
  }

  /** A promise, as prom-client's was, so callers need not change if a collector ever waits. */
  metrics(): Promise<string> {
    const blocks: string[] = [];
    for (const m of this.byName.values()) blocks.push(m.write());
    return Promise.resolve(`${blocks.join('\n\n')}\n`);
  }
}

/** Name and label checks, the series key, and registration: what the three kinds share. */
abstract class Metric<L extends string> implements Writable {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];

  protected constructor(opts: MetricOptions<L>, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(opts.name)) throw new TypeError(`invalid metric name ${JSON.stringify(opts.name)}`);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
    for (const l of this.labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || reserved.includes(l)) throw new TypeError(`invalid label name ${JSON.stringify(l)} for ${opts.name}`);
    }
    for (const r of opts.registers ?? []) r.register(this);
  }

  abstract write(): string;

  /**
   * The series' labels as written (`a="x",b="y"`, in `labelNames` order, escaped): also its key,
   * since the same values always give the same text. A label left out is not written.
   */
  protected key(labels: LabelValues<L> | undefined): string {
    if (labels === undefined || this.labelNames.length === 0) return '';
    let key = '';
    for (const n of this.labelNames) {
      const v = labels[n] as string | number | undefined;
      if (v !== undefined) key += `${key === '' ? '' : ','}${n}="${escapeLabelValue(String(v))}"`;
    }
    return key;
  }
}

/** `name{labels} value` lines of a counter or a gauge. */
function writeValues(name: string, type: 'counter' | 'gauge', help: string, values: ReadonlyMap<string, number>): string {
  const out = metricHeader(name, type, help);
  for (const [key, v] of values) out.push(`${name}${key === '' ? '' : `{${key}}`} ${formatValue(v)}`);
  return out.join('\n');
}

/** Splits prom-client's `(labels, value)` / `(value)` call forms. */
function args<L extends string>(a: LabelValues<L> | number | undefined, b: number | undefined): [LabelValues<L> | undefined, number | undefined] {
  return typeof a === 'number' || a === undefined ? [undefined, a] : [a, b];
}

export class Counter<L extends string = never> extends Metric<L> {
  /** An unlabelled counter has its one series, at 0, from the start; a labelled one none until used. */
  private readonly values = new Map<string, number>();

  constructor(opts: MetricOptions<L>) {
    super(opts);
    if (this.labelNames.length === 0) this.values.set('', 0);
  }

  /** Adds `value` (1 by default; 0 makes the series exist). */
  inc(value?: number): void;
  inc(labels: LabelValues<L>, value?: number): void;
  inc(a?: LabelValues<L> | number, b?: number): void {
    const [labels, value = 1] = args(a, b);
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a valid number: ${value}`);
    if (value < 0) throw new RangeError(`${this.name}: a counter cannot decrease`);
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + value);
  }

  write(): string {
    return writeValues(this.name, 'counter', this.help, this.values);
  }
}

export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Called at every scrape before the gauge is written: sets what is measured then. */
  collect?: (this: Gauge<L>) => void;
}

export class Gauge<L extends string = never> extends Metric<L> {
  private readonly values = new Map<string, number>();
  private readonly collect: ((this: Gauge<L>) => void) | undefined;

  constructor(opts: GaugeOptions<L>) {
    super(opts);
    this.collect = opts.collect;
    if (this.labelNames.length === 0) this.values.set('', 0);
  }

  set(value: number): void;
  set(labels: LabelValues<L>, value: number): void;
  set(a: LabelValues<L> | number, b?: number): void {
    const [labels, value] = args(a, b);
    if (typeof value !== 'number') throw new TypeError(`${this.name}: not a valid number: ${String(value)}`);
    this.values.set(this.key(labels), value);
  }

  write(): string {
    this.collect?.call(this);
    return writeValues(this.name, 'gauge', this.help, this.values);
  }
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, increasing; `+Inf` is added on its own. */
  buckets: readonly number[];
}

/** One labelled series of a histogram: observations per bucket (not cumulative), sum, count. */
interface HistogramSeries { counts: number[]; sum: number; count: number }

export class Histogram<L extends string = never> extends Metric<L> {
  private readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(opts: HistogramOptions<L>) {
    super(opts, ['le']);
    const b = opts.buckets;
    if (b.length === 0 || b.some((v, i) => !Number.isFinite(v) || (i > 0 && v <= b[i - 1]!))) {
      throw new TypeError(`${opts.name}: buckets must be finite and increasing, got [${b.join(', ')}]`);
    }
    this.buckets = [...b];
    if (this.labelNames.length === 0) this.series.set('', this.empty());
  }

  observe(value: number): void;
  observe(labels: LabelValues<L>, value: number): void;
  observe(a: LabelValues<L> | number, b?: number): void {
    const [labels, value] = args(a, b);
    if (value === undefined || !Number.isFinite(value)) throw new TypeError(`${this.name}: not a valid number: ${value}`);
    const key = this.key(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = this.empty()));
    const i = this.buckets.findIndex((bound) => value <= bound);
    if (i >= 0) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  write(): string {
    const out = metricHeader(this.name, 'histogram', this.help);
    for (const [key, s] of this.series) {
      const rest = key === '' ? '' : `,${key}`;
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i]!;
        out.push(`${this.name}_bucket{le="${bound}"${rest}} ${cumulative}`);
      });
      out.push(`${this.name}_bucket{le="+Inf"${rest}} ${s.count}`);
      const labels = key === '' ? '' : `{${key}}`;
      out.push(`${this.name}_sum${labels} ${formatValue(s.sum)}`, `${this.name}_count${labels} ${s.count}`);
    }
    return out.join('\n');
  }

  private empty(): HistogramSeries {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
}
