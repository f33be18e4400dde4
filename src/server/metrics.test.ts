import { describe, expect, it } from 'vitest';
import { DaemonMetrics } from './metrics.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function metrics() {
  const clock = { t: T0 };
  const m = new DaemonMetrics(() => clock.t);
  const text = () => m.registry.metrics();
  return { m, clock, text };
}

describe('DaemonMetrics per certificate', () => {
  it('last attempt by result, in Unix seconds, one series per result seen', async () => {
    const { m, clock, text } = metrics();
    m.outcome({ name: 'web', result: 'failed' }, undefined);
    clock.t = T0 + 600_000;
    m.outcome({ name: 'web', result: 'issued' }, { notAfter: '2027-03-01T00:00:00Z' });
    clock.t = T0 + 900_000;
    m.outcome({ name: 'web', result: 'skipped' }, { notAfter: '2027-03-01T00:00:00Z' });
    const out = await text();
    expect(out).toMatch(new RegExp(`^certfleet_certificate_last_attempt\\{name="web",result="failed"\\} ${T0 / 1000}$`, 'm'));
    expect(out).toMatch(new RegExp(`^certfleet_certificate_last_attempt\\{name="web",result="issued"\\} ${T0 / 1000 + 600}$`, 'm'));
    // A skip is no attempt.
    expect(out).not.toMatch(/result="skipped"/);
  });

  it('counts failures per certificate, and starts the count at 0 for one that has not failed', async () => {
    const { m, text } = metrics();
    m.outcome({ name: 'bad', result: 'failed' }, undefined);
    m.outcome({ name: 'bad', result: 'failed' }, undefined);
    m.outcome({ name: 'good', result: 'issued' }, { notAfter: '2027-03-01T00:00:00Z' });
    const out = await text();
    expect(out).toMatch(/^certfleet_issuance_failures_total\{name="bad"\} 2$/m);
    expect(out).toMatch(/^certfleet_issuance_failures_total\{name="good"\} 0$/m);
    // The fleet-wide counter keeps its name and labels.
    expect(out).toMatch(/^certfleet_issuance_attempts_total\{result="failed"\} 2$/m);
    expect(out).toMatch(/^certfleet_issuance_attempts_total\{result="issued"\} 1$/m);
  });

  it('a certificate never issued has a series (issued 0) where the expiry has none; 1 once there is one', async () => {
    const { m, text } = metrics();
    m.outcome({ name: 'new', result: 'failed', next: T0 + 60_000 }, undefined);
    let out = await text();
    expect(out).toMatch(/^certfleet_certificate_issued\{name="new"\} 0$/m);
    expect(out).not.toMatch(/^certfleet_certificate_not_after_seconds\{name="new"\}/m);
    m.outcome({ name: 'new', result: 'issued' }, { notAfter: '2027-03-01T00:00:00Z' });
    out = await text();
    expect(out).toMatch(/^certfleet_certificate_issued\{name="new"\} 1$/m);
    expect(out).toMatch(/^certfleet_certificate_not_after_seconds\{name="new"\} \d{10}$/m);
  });

  it('forget removes every series of the certificate, and only its', async () => {
    const { m, text } = metrics();
    for (const name of ['gone', 'kept']) {
      m.outcome({ name, result: 'failed', next: T0 }, undefined);
      m.outcome({ name, result: 'renewed', next: T0 }, { notAfter: '2027-03-01T00:00:00Z' });
    }
    m.forget('gone');
    const out = await text();
    expect(out).not.toContain('name="gone"');
    for (const series of ['certificate_last_attempt', 'issuance_failures_total', 'certificate_issued', 'certificate_not_after_seconds', 'certificate_next_renewal_seconds']) {
      expect(out).toMatch(new RegExp(`^certfleet_${series}\\{name="kept"`, 'm'));
    }
  });
});

describe('DaemonMetrics in fleet mode', () => {
  it('has no fleet series without a shared store', async () => {
    expect(await metrics().text()).not.toMatch(/^certfleet_fleet_\w+\{/m);
  });

  it('connected and behind are read at scrape time; deliveries count by result, from 0; every series names the host', async () => {
    const { m, text } = metrics();
    const state = { up: true, behind: 3 };
    const fleet = m.fleet('edge-1', { connected: () => state.up, behind: () => state.behind });
    fleet.delivery('delivered');
    fleet.delivery('delivered');
    let out = await text();
    expect(out).toMatch(/^certfleet_fleet_connected\{host="edge-1"\} 1$/m);
    expect(out).toMatch(/^certfleet_fleet_behind\{host="edge-1"\} 3$/m);
    expect(out).toMatch(/^certfleet_fleet_deliveries_total\{host="edge-1",result="delivered"\} 2$/m);
    expect(out).toMatch(/^certfleet_fleet_deliveries_total\{host="edge-1",result="failed"\} 0$/m);
    state.up = false;
    state.behind = 0;
    out = await text();
    expect(out).toMatch(/^certfleet_fleet_connected\{host="edge-1"\} 0$/m);
    expect(out).toMatch(/^certfleet_fleet_behind\{host="edge-1"\} 0$/m);
  });
});
