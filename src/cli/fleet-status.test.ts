import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FleetStatus } from '../store/fleet-store.js';
import { runFleet } from './fleet-command.js';
import { UsageError } from './cli-options.js';
import { fleetReport, formatFleetReport } from './fleet-status.js';

const status: FleetStatus = {
  now: '2026-12-01T10:00:00.000Z',
  hosts: [
    { id: 'edge-1', lastSeen: '2026-12-01T09:59:30.000Z', delivered: { web: 2, api: 1, shop: 4 } },
    { id: 'edge-2', lastSeen: '2026-12-01T09:40:00.000Z', delivered: { web: 1 } },
  ],
  current: [{ name: 'web', version: 2 }, { name: 'api', version: 1 }, { name: 'shop', version: 4 }],
  leases: [{ name: 'shop', holder: 'edge-1/4121', token: '17', expiresAt: '2026-12-01T10:00:30.000Z' }],
};

describe('fleet status report', () => {
  it('per host: seconds since its heartbeat by the store\'s clock, what it has delivered, what it is behind on, its leases', () => {
    const r = fleetReport(status);
    expect(r.hosts).toEqual([
      { host: 'edge-1', lastSeen: '2026-12-01T09:59:30.000Z', secondsAgo: 30, delivered: 3, behind: [], leases: ['shop'] },
      { host: 'edge-2', lastSeen: '2026-12-01T09:40:00.000Z', secondsAgo: 1200, delivered: 0, behind: [{ name: 'web', has: 1, current: 2 }, { name: 'api', has: 0, current: 1 }, { name: 'shop', has: 0, current: 4 }], leases: [] },
    ]);
  });

  it('the table: one line per host, then the leases', () => {
    const text = formatFleetReport(fleetReport(status));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^HOST\s+LAST SEEN\s+DELIVERED\s+BEHIND\s+LEASES$/);
    expect(lines[1]).toMatch(/^edge-1\s+30s ago\s+3\/3\s+-\s+1$/);
    expect(lines[2]).toMatch(/^edge-2\s+1200s ago\s+0\/3\s+3: web \(v1 of v2\), api \(v0 of v1\), shop \(v0 of v4\)\s+0$/);
    expect(text).toMatch(/^shop {2}held by edge-1\/4121 {2}token 17 {2}expires 2026-12-01T10:00:30.000Z$/m);
  });

  it('says so when no host has joined yet', () => {
    expect(formatFleetReport(fleetReport({ now: status.now, hosts: [], current: [], leases: [] }))).toMatch(/no host has joined the fleet yet/);
  });
});

describe('certfleet fleet', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('status on a directory store: exit 2, and the error says what it needs', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'certfleet-fleet-'));
    const file = path.join(dir, 'certfleet.yaml');
    await writeFile(file, `acme: { directory: selfsigned }\nstore: { path: ${dir}/store }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\n`);
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => { err.push(String(t)); return true; });
    expect(await runFleet(['status', '--config', file])).toBe(2);
    expect(err.join('')).toMatch(/fleet status needs store\.type: postgres/);
  });

  it('an unknown or missing subcommand is a usage error naming status', async () => {
    await expect(runFleet(['stats'])).rejects.toThrow(UsageError);
    await expect(runFleet([])).rejects.toThrow(/fleet needs a subcommand[\s\S]*fleet status/);
  });
});
