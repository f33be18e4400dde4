import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from './prometheus-registry.js';

describe('Registry text', () => {
  // The expected text is what prom-client 15.1.3 wrote for the same calls (checked side by side
  // before it was removed): /metrics must not change for anyone scraping it.
  it('writes what prom-client wrote: escaping, label order, unset metrics, histogram buckets', async () => {
    const r = new Registry();
    const c = new Counter({ name: 'a_total', help: 'with \\ back\nslash "q"', labelNames: ['x', 'y'] as const, registers: [r] });
    const c0 = new Counter({ name: 'b_total', help: 'unlabelled', registers: [r] });
    new Counter({ name: 'unset_total', help: 'labelled, never set', labelNames: ['k'] as const, registers: [r] });
    new Gauge({ name: 'g', help: 'gauge', labelNames: ['host'] as const, registers: [r], collect() { this.set({ host: 'h"1\\\n' }, -2.5); } });
    const g0 = new Gauge({ name: 'g0', help: 'gauge0', registers: [r] });
    const h = new Histogram({ name: 'h_seconds', help: 'hist', labelNames: ['endpoint', 'status'] as const, buckets: [0.01, 0.05, 0.1, 1, 10], registers: [r] });
    const h0 = new Histogram({ name: 'h0_seconds', help: 'hist0', buckets: [0.5, 2], registers: [r] });
    new Histogram({ name: 'h2_seconds', help: 'hist2', labelNames: ['q'] as const, buckets: [1], registers: [r] });
    // Labels given out of order: the text follows labelNames.
    c.inc({ y: 2, x: 'one' });
    c.inc({ x: 'one', y: '2' }, 3);
    c.inc({ x: 'z', y: 'q' }, 0);
    c.inc({ x: 'one', y: '2' }, 0.5);
    c0.inc();
    c0.inc(2);
    g0.set(7);
    g0.set(Infinity);
    for (const v of [0.005, 0.01, 0.3, 0.1, 11, 0.2]) h.observe({ endpoint: 'newOrder', status: '201' }, v);
    h.observe({ endpoint: 'dir', status: '200' }, 0.1);
    h0.observe(0.3);
    h0.observe(3);
    expect(await r.metrics()).toBe(`# HELP a_total with \\\\ back\\nslash "q"
# TYPE a_total counter
a_total{x="one",y="2"} 4.5
a_total{x="z",y="q"} 0

# HELP b_total unlabelled
# TYPE b_total counter
b_total 3

# HELP unset_total labelled, never set
# TYPE unset_total counter

# HELP g gauge
# TYPE g gauge
g{host="h\\"1\\\\\\n"} -2.5

# HELP g0 gauge0
# TYPE g0 gauge
g0 +Inf

# HELP h_seconds hist
# TYPE h_seconds histogram
h_seconds_bucket{le="0.01",endpoint="newOrder",status="201"} 2
h_seconds_bucket{le="0.05",endpoint="newOrder",status="201"} 2
h_seconds_bucket{le="0.1",endpoint="newOrder",status="201"} 3
h_seconds_bucket{le="1",endpoint="newOrder",status="201"} 5
h_seconds_bucket{le="10",endpoint="newOrder",status="201"} 5
h_seconds_bucket{le="+Inf",endpoint="newOrder",status="201"} 6
h_seconds_sum{endpoint="newOrder",status="201"} 11.614999999999998
h_seconds_count{endpoint="newOrder",status="201"} 6
h_seconds_bucket{le="0.01",endpoint="dir",status="200"} 0
h_seconds_bucket{le="0.05",endpoint="dir",status="200"} 0
h_seconds_bucket{le="0.1",endpoint="dir",status="200"} 1
h_seconds_bucket{le="1",endpoint="dir",status="200"} 1
h_seconds_bucket{le="10",endpoint="dir",status="200"} 1
h_seconds_bucket{le="+Inf",endpoint="dir",status="200"} 1
h_seconds_sum{endpoint="dir",status="200"} 0.1
h_seconds_count{endpoint="dir",status="200"} 1

# HELP h0_seconds hist0
# TYPE h0_seconds histogram
h0_seconds_bucket{le="0.5"} 1
h0_seconds_bucket{le="2"} 1
h0_seconds_bucket{le="+Inf"} 2
h0_seconds_sum 3.3
h0_seconds_count 2

# HELP h2_seconds hist2
# TYPE h2_seconds histogram
`);
  });

  it('the content type Prometheus negotiates for text 0.0.4', () => {
    expect(new Registry().contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('a collect callback runs at every scrape, so the value is the one measured then', async () => {
    const r = new Registry();
    let now = 1;
    new Gauge({ name: 'live', help: 'h', registers: [r], collect() { this.set(now); } });
    expect(await r.metrics()).toMatch(/^live 1$/m);
    now = 2;
    expect(await r.metrics()).toMatch(/^live 2$/m);
  });

  it('an unlabelled metric has its series at 0 before any use (a rate over it works from the start)', async () => {
    const r = new Registry();
    new Counter({ name: 'c_total', help: 'h', registers: [r] });
    new Gauge({ name: 'g', help: 'h', registers: [r] });
    new Histogram({ name: 'h', help: 'h', buckets: [1], registers: [r] });
    const text = await r.metrics();
    for (const line of ['c_total 0', 'g 0', 'h_bucket{le="1"} 0', 'h_bucket{le="+Inf"} 0', 'h_sum 0', 'h_count 0']) expect(text.split('\n')).toContain(line);
  });

  it('a gauge set again keeps its place among the series', async () => {
    const r = new Registry();
    const g = new Gauge({ name: 'g', help: 'h', labelNames: ['k'] as const, registers: [r] });
    g.set({ k: 'a' }, 1);
    g.set({ k: 'b' }, 2);
    g.set({ k: 'a' }, 3);
    expect((await r.metrics()).split('\n').slice(2, 4)).toEqual(['g{k="a"} 3', 'g{k="b"} 2']);
  });

  it('a value above every bucket counts only in +Inf, a value on a bound in that bucket', async () => {
    const r = new Registry();
    const h = new Histogram({ name: 'h', help: 'h', buckets: [1, 2], registers: [r] });
    h.observe(2);
    h.observe(5);
    expect(await r.metrics()).toContain('h_bucket{le="1"} 0\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 7\nh_count 2');
  });
});

describe('Registry misuse', () => {
  it('refuses a second metric of the same name', () => {
    const r = new Registry();
    new Counter({ name: 'x_total', help: 'h', registers: [r] });
    expect(() => new Gauge({ name: 'x_total', help: 'h', registers: [r] })).toThrow(/x_total is already registered/);
  });

  it('refuses bad metric and label names, le on a histogram, and unordered buckets', () => {
    expect(() => new Counter({ name: 'bad-name', help: 'h' })).toThrow(/invalid metric name "bad-name"/);
    expect(() => new Counter({ name: 'ok', help: 'h', labelNames: ['1x'] })).toThrow(/invalid label name "1x"/);
    expect(() => new Counter({ name: 'ok', help: 'h', labelNames: ['__x'] })).toThrow(/invalid label name/);
    expect(() => new Histogram({ name: 'ok', help: 'h', labelNames: ['le'], buckets: [1] })).toThrow(/invalid label name "le"/);
    expect(() => new Histogram({ name: 'ok', help: 'h', buckets: [1, 1] })).toThrow(/increasing/);
    expect(() => new Histogram({ name: 'ok', help: 'h', buckets: [] })).toThrow(/increasing/);
    expect(() => new Histogram({ name: 'ok', help: 'h', buckets: [1, Infinity] })).toThrow(/finite/);
  });

  it('a counter does not go down or take a non-number; a histogram takes finite values only', () => {
    const c = new Counter({ name: 'c', help: 'h' });
    expect(() => c.inc(-1)).toThrow(RangeError);
    expect(() => c.inc(NaN)).toThrow(TypeError);
    const h = new Histogram({ name: 'h', help: 'h', buckets: [1] });
    expect(() => h.observe(Infinity)).toThrow(TypeError);
  });
});
