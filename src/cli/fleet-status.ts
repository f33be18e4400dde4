import type { FleetStatus } from '../store/fleet-store.js';

/** One host of `certfleet fleet status`. */
export interface FleetHostRow {
  host: string;
  lastSeen: string;
  /** Seconds since the last heartbeat, by the store's clock. */
  secondsAgo: number;
  /** Certificates whose current version this host has written. */
  delivered: number;
  /** Certificates it has not (an older version or none), with the versions. */
  behind: { name: string; has: number; current: number }[];
  /** Names whose lease it holds now. */
  leases: string[];
}

export interface FleetReport {
  now: string;
  certificates: number;
  hosts: FleetHostRow[];
  leases: FleetStatus['leases'];
}

/** What `fleet status` prints, from one FleetStatus (the store's clock, never this host's). */
export function fleetReport(status: FleetStatus): FleetReport {
  const now = Date.parse(status.now);
  const hosts = status.hosts.map((h): FleetHostRow => {
    const behind = status.current.filter((c) => (h.delivered[c.name] ?? 0) < c.version).map((c) => ({ name: c.name, has: h.delivered[c.name] ?? 0, current: c.version }));
    return {
      host: h.id, lastSeen: h.lastSeen, secondsAgo: Math.max(0, Math.round((now - Date.parse(h.lastSeen)) / 1000)),
      delivered: status.current.length - behind.length, behind, leases: status.leases.filter((l) => holderHost(l.holder) === h.id).map((l) => l.name).sort(),
    };
  });
  return { now: status.now, certificates: status.current.length, hosts, leases: status.leases };
}

/** A lease's holder is `host/pid` (a host may run more than one certfleet process). */
function holderHost(holder: string): string {
  const slash = holder.lastIndexOf('/');
  return slash < 0 ? holder : holder.slice(0, slash);
}

/** The table: one line per host, then the leases held. At most a few names of what is behind. */
export function formatFleetReport(r: FleetReport): string {
  const head = ['HOST', 'LAST SEEN', 'DELIVERED', 'BEHIND', 'LEASES'];
  const rows = r.hosts.map((h) => [
    h.host, Number.isNaN(h.secondsAgo) ? 'never' : `${h.secondsAgo}s ago`, `${h.delivered}/${r.certificates}`,
    h.behind.length === 0 ? '-' : `${h.behind.length}: ${h.behind.slice(0, 3).map((b) => `${b.name} (v${b.has} of v${b.current})`).join(', ')}${h.behind.length > 3 ? ', …' : ''}`,
    String(h.leases.length),
  ]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (r.hosts.length === 0) out.push('(no host has joined the fleet yet)');
  if (r.leases.length > 0) {
    out.push('', 'LEASES');
    for (const l of r.leases) out.push(`${l.name}  held by ${l.holder}  token ${l.token}  expires ${l.expiresAt}`);
  }
  return `${out.join('\n')}\n`;
}
