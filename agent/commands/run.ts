// `autoresearch run`: the overnight research loop on branch autoresearch/<tag>. SIGINT/SIGTERM
// finish the current journal write, leave the run resumable, print a summary and exit 0.
import type { Command } from 'commander';
import { configFor, defined, positiveInt, positiveNumber, repoRoot } from './common.ts';

interface RunFlags {
  tag?: string; agent?: 'claude' | 'openai' | 'mutate'; model?: string; maxIterations?: number; maxHours?: number;
  maxCost?: number; data?: string; config?: string; workers?: number; quiet?: boolean; json?: boolean;
}

/** Today's default tag, e.g. "nov23" (karpathy/autoresearch's convention). */
export function defaultTag(d: Date = new Date()): string {
  return d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' }).toLowerCase() + d.getUTCDate();
}

export function register(program: Command): void {
  program.command('run')
    .description('run the research loop: propose → evaluate → keep or discard → learn, until a budget or Ctrl-C')
    .option('--tag <name>', 'run name; branch autoresearch/<name>; an existing tag resumes (default: today, e.g. nov23)')
    .option('--agent <kind>', 'claude, openai or mutate (default: claude with ANTHROPIC_API_KEY, else mutate)')
    .option('--model <id>', 'model id for the claude/openai agent')
    .option('--max-iterations <n>', 'stop after this many iterations in total', positiveInt('--max-iterations'))
    .option('--max-hours <h>', 'stop after this many hours in this session', positiveNumber('--max-hours'))
    .option('--max-cost <usd>', 'stop before API spend would pass this many dollars in total', positiveNumber('--max-cost'))
    .option('--data <dir>', 'Numerai v5.x data directory (default: the built-in synthetic dataset)')
    .option('--workers <n>', 'concurrent trainer jobs (default: number of cores)', positiveInt('--workers'))
    .option('--config <file>', 'config file (default: autoresearch.yaml if present)')
    .option('--quiet', 'only the final summary (no progress bar or lines on stderr)')
    .option('--json', 'print the final summary as one JSON object on stdout')
    .action(async (flags: RunFlags) => { process.exitCode = await runCommand(flags); });
}

async function runCommand(flags: RunFlags): Promise<number> {
  const repo = repoRoot();
  if (flags.agent && !['claude', 'openai', 'mutate'].includes(flags.agent)) {
    const { UserError } = await import('../../harness/errors.ts');
    throw new UserError(`unknown agent "${flags.agent}"`, 'expected claude, openai or mutate', 'pass --agent claude, --agent openai or --agent mutate');
  }
  const overrides = defined({
    data: { dir: flags.data },
    eval: { workers: flags.workers },
    // --model names the model of the agent in use: the OpenAI-compatible one has its own key
    agent: flags.agent === 'openai' ? { kind: flags.agent, openai_model: flags.model } : { kind: flags.agent, model: flags.model },
    budget: { max_iterations: flags.maxIterations, max_hours: flags.maxHours, max_cost_usd: flags.maxCost },
  });
  const { config, secrets } = configFor(repo, flags.config, overrides);
  const controller = new AbortController();
  const stop = (sig: string) => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\n${sig}: stopping after the current journal write; run again with --tag to resume\n`);
    controller.abort();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const { createProgress, iterationLog } = await import('../progress.ts');
  const progress = createProgress({ quiet: flags.quiet, unit: 'iterations' });
  const log = iterationLog(progress, config.budget.max_iterations, () => `${new Date().toISOString().slice(11, 19)} `);
  try {
    const { startRun } = await import('../run/start.ts');
    const s = await startRun({ repo, tag: flags.tag ?? defaultTag(), config, overrides, secrets, log, signal: controller.signal });
    progress.stop();
    if (flags.json) {
      process.stdout.write(JSON.stringify({ tag: s.tag, reason: s.reason, iterations: s.iterations, kept: s.kept, best: s.best, cost_usd: s.costUsd }) + '\n');
      return 0;
    }
    process.stdout.write(`run ${s.tag}: ${s.reason}\n  iterations ${s.iterations}, kept ${s.kept}, best payout ${s.best === null ? 'n/a' : s.best.toFixed(5)}, API spend $${s.costUsd.toFixed(4)}\n`);
    return 0;
  } finally {
    progress.stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
