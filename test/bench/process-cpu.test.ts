// The benchmarks' per-part CPU figures (bench/lib/process-cpu.ts): a process that exits inside the measured window
// keeps the CPU it used; before, its share vanished from the total and PostgreSQL's figure could go negative when
// an idle pool connection closed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandCpuSeconds, meterCpu } from '../../bench/lib/process-cpu.js';

describe('commandCpuSeconds', () => {
  it.skipIf(process.platform !== 'linux')('counts a process that has exited at its last reading', async () => {
    // Node under a name of its own (`comm` is the name the program was started by), so that no other process counts.
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-cpu-'));
    const comm = `burn${process.pid}`.slice(0, 15);
    symlinkSync(process.execPath, join(dir, comm));
    try {
      const meter = meterCpu({ burner: () => commandCpuSeconds(comm) });
      // One second of CPU, however busy the machine; the meter reads every 500 ms, so it sees at least half of it.
      const child = spawn(join(dir, comm), ['-e', 'for (let u = process.cpuUsage(); u.user + u.system < 1e6; u = process.cpuUsage());']);
      await once(child, 'exit');
      const seconds = meter.perOperation(1).burner / 1e6;
      expect(seconds).toBeGreaterThan(0.5);
      expect(seconds).toBeLessThan(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
