import { describe, expect, it } from 'vitest';
import { FakeFleetStore } from '../../test/support/fake-fleet-store.js';
import { captureLog } from '../../test/support/test-log.js';
import { heartbeatLoop } from './fleet-heartbeat.js';

describe('heartbeatLoop', () => {
  it('beats at once and again after each interval; a failure is logged once per outage and never ends the loop', async () => {
    const fleet = new FakeFleetStore('edge-1');
    const cap = captureLog();
    const stop = new AbortController();
    let beats = 0;
    const heartbeat = (signal: AbortSignal) => {
      beats++;
      if (beats === 5) stop.abort();
      return beats === 2 || beats === 3 ? Promise.reject(new Error('connection refused')) : fleet.heartbeat(signal);
    };
    await heartbeatLoop({ heartbeat }, 1, cap.log, stop.signal);
    expect(beats).toBe(5);
    expect(cap.records().map((r) => r.msg)).toEqual(['fleet_heartbeat_failed', 'fleet_heartbeat_recovered']);
    expect(fleet.lastSeen.get('edge-1')).toBeDefined();
  });

  it('returns at once when stopped', async () => {
    const stop = new AbortController();
    stop.abort();
    await heartbeatLoop(new FakeFleetStore(), 60_000, captureLog().log, stop.signal);
  });
});
