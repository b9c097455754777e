// Hostile: a bounded fork bomb built to outlive its job. Detached shells in their own sessions
// that ignore SIGTERM, SIGHUP and SIGINT; half of them hold the job's stdout open; the rest are
// double-forked, so their parent exits and they leave the job's process tree. Each carries the
// marker from config.json in its command line, so a test can scan /proc for survivors. Bounded
// (16 sleepers) so a containment failure cannot exhaust a shared machine. Once every sleeper
// runs, it throws.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const SLEEPER = 'trap "" TERM HUP INT; while :; do sleep 1; done';
const DIRECT = 8;
const ORPHANS = 8;

export default async function train(): Promise<never> {
  const { marker } = JSON.parse(fs.readFileSync(new URL('./config.json', import.meta.url), 'utf8')) as { marker: string };
  for (let i = 0; i < DIRECT; i++) {
    spawn('sh', ['-c', SLEEPER, marker], { detached: true, stdio: i % 2 === 0 ? 'inherit' : 'ignore' }).unref();
  }
  for (let i = 0; i < ORPHANS; i++) {
    // the outer shell exits at once, so the sleeper is reparented away from the job
    spawn('sh', ['-c', `sh -c '${SLEEPER}' ${marker} & exit 0`], { detached: true, stdio: 'ignore' }).unref();
  }
  let running = 0;
  for (let i = 0; i < 100 && running < DIRECT + ORPHANS; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    running = sleepers(marker);
  }
  throw new Error(`fork-bomb: ${running} sleepers running`);
}

/**
 * Processes whose command line is exactly `sh -c SLEEPER marker`, not counting a sleeper's own
 * fork for `sleep 1`, which carries its parent's command line until it execs.
 */
function sleepers(marker: string): number {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8') !== `sh\0-c\0${SLEEPER}\0${marker}\0`) continue;
      // the command (field 2) may hold spaces and parentheses; the parent pid follows the last ')'
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while being read
    }
  }
  let n = 0;
  for (const parent of parents.values()) if (!parents.has(parent)) n++;
  return n;
}
