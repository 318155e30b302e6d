// CPU used by processes of the benchmark, from /proc (Linux): what each part of the system costs per operation.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function statFields(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined; // process gone
  }
}

/** CPU seconds (user + system) a process has used so far; NaN when it is gone. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : Number.NaN;
}

/** Per command name, each process's CPU seconds when last read: a process that has exited keeps its last reading. */
const lastSeen = new Map<string, Map<string, number>>();

/**
 * CPU seconds used so far by every process whose command name is `comm` (e.g. all PostgreSQL backends), those that
 * have exited since an earlier call included at their last reading: a connection closed during a measured window
 * (an idle pool connection, say) must not take its CPU out of the total. `meterCpu` reads twice a second.
 */
export function commandCpuSeconds(comm: string): number {
  let seen = lastSeen.get(comm);
  if (!seen) lastSeen.set(comm, (seen = new Map()));
  for (const pid of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name !== comm) continue;
    const f = statFields(pid);
    if (f) seen.set(pid, (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND);
  }
  let total = 0;
  for (const seconds of seen.values()) total += seconds;
  return total;
}

/**
 * CPU of several parts of a run, per operation: `start()` reads each part's CPU seconds now, and the returned
 * `perOperation(n)` gives each part's CPU since then in microseconds per operation.
 */
export function meterCpu<K extends string>(parts: Record<K, () => number>): { perOperation(operations: number): Record<K, number> } {
  const keys = Object.keys(parts) as K[];
  const before = keys.map((k) => parts[k]());
  // Read along the way too, so that a process which exits in the window is counted up to shortly before it did.
  const sampling = setInterval(() => keys.forEach((k) => parts[k]()), 500).unref();
  return {
    perOperation(operations) {
      clearInterval(sampling);
      const out = {} as Record<K, number>;
      keys.forEach((k, i) => (out[k] = ((parts[k]() - before[i]!) * 1e6) / Math.max(1, operations)));
      return out;
    },
  };
}

/** CPU seconds this process has used so far (user + system). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
