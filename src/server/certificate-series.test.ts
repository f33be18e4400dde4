import { describe, expect, it } from 'vitest';
import { CertificateSeries } from './certificate-series.js';
import { Gauge, Registry } from './prometheus-registry.js';

describe('CertificateSeries', () => {
  it('writes what the registry writes for the same gauge, escaping included', async () => {
    const registry = new Registry();
    const gauge = new Gauge({ name: 'certfleet_certificate_not_after_seconds', help: 'Expiry of the current certificate (Unix seconds)', labelNames: ['name'] as const, registers: [registry] });
    const series = new CertificateSeries();
    for (const [name, v] of [['web', 1798761600.5], ['odd"\\name', 17]] as const) {
      gauge.set({ name }, v);
      series.record(name, { result: 'skipped', at: 0, notAfter: v });
    }
    const ours = series.render().split('\n\n')[0];
    expect(`${ours}\n`).toBe(await registry.metrics());
  });

  it('one line per series, the failure count from 0, last attempts by result; forget removes them all', () => {
    const s = new CertificateSeries();
    s.record('a', { result: 'failed', at: 100, next: 160 });
    s.record('a', { result: 'issued', at: 200, next: 900, notAfter: 5000 });
    s.record('b', { result: 'skipped', at: 300 });
    const text = s.render();
    expect(text).toMatch(/^certfleet_issuance_failures_total\{name="a"\} 1$/m);
    expect(text).toMatch(/^certfleet_issuance_failures_total\{name="b"\} 0$/m);
    expect(text).toMatch(/^certfleet_certificate_last_attempt\{name="a",result="failed"\} 100$/m);
    expect(text).toMatch(/^certfleet_certificate_last_attempt\{name="a",result="issued"\} 200$/m);
    expect(text).toMatch(/^certfleet_certificate_next_renewal_seconds\{name="a"\} 900$/m);
    expect(text).toMatch(/^certfleet_certificate_issued\{name="b"\} 0$/m);
    expect(text).not.toMatch(/not_after_seconds\{name="b"\}/);
    s.forget('a');
    expect(s.render()).not.toMatch(/name="a"/);
  });
});

describe('CertificateSeries times', () => {
  it('gives back every time as recorded: whole seconds, fractions, before 2024, infinities', () => {
    const s = new CertificateSeries();
    const times = [1_798_761_600, 1_798_761_600.123, 17, 0.25, -5, Infinity];
    times.forEach((t, i) => s.record(`c${i}`, { result: 'renewed', at: t, next: t, notAfter: t }));
    const text = s.render();
    times.forEach((t, i) => {
      const v = t === Infinity ? '\\+Inf' : String(t).replace('.', '\\.');
      for (const line of [`certfleet_certificate_not_after_seconds\\{name="c${i}"\\}`, `certfleet_certificate_next_renewal_seconds\\{name="c${i}"\\}`, `certfleet_certificate_last_attempt\\{name="c${i}",result="renewed"\\}`]) {
        expect(text).toMatch(new RegExp(`^${line} ${v}$`, 'm'));
      }
    });
  });
});
