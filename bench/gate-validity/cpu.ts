// CPU seconds of this process and everything under it. Trainer jobs run inside bubblewrap, whose
// pid-namespace init does not pass their usage up to us when reaped (getrusage children and
// /usr/bin/time both miss it), so descendants are sampled from /proc: each process counts with
// the last utime + stime seen, which undercounts by at most one interval of CPU per process.
import fs from 'node:fs';
import { processTree } from '../../harness/runner/proctree.ts';

export interface CpuMeter {
  /** stops sampling and returns CPU seconds since start */
  stop(): number;
}

const TICKS_PER_SECOND = 100;

/** Starts sampling this process tree every `intervalMs`. */
export function startCpuMeter(intervalMs = 250): CpuMeter {
  const seen = new Map<string, number>();
  const self0 = process.cpuUsage();
  const sample = () => {
    for (const pid of processTree(process.pid)) {
      if (pid === process.pid) continue;
      const t = ticks(pid);
      if (t) seen.set(t.key, Math.max(seen.get(t.key) ?? 0, t.ticks));
    }
  };
  sample();
  const before = new Map(seen);
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      let children = 0;
      for (const [key, t] of seen) children += t - (before.get(key) ?? 0);
      const self = process.cpuUsage(self0);
      return (self.user + self.system) / 1e6 + children / TICKS_PER_SECOND;
    },
  };
}

// utime + stime (fields 14, 15), keyed by pid and start time (field 22) so a reused pid is a new process.
function ticks(pid: number): { key: string; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { key: `${pid}:${f[19]}`, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}
