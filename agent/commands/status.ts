// `autoresearch status`: where a run stands, from its journal alone (safe while the run is live).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../harness/errors.ts';
import { validateConfig } from '../config.ts';
import type { EventOf } from '../events.ts';
import { Journal } from '../journal.ts';
import { phaseFor } from '../knowledge/phase.ts';
import { pidAlive, readLock } from '../lock.ts';
import { reduceState } from '../state.ts';
import { etaToBudget } from '../run/eta.ts';
import { repoRoot } from './common.ts';

interface StatusFlags { tag?: string; json?: boolean }

export function register(program: Command): void {
  program.command('status')
    .description('show a run\'s progress from its journal (works while the run is live)')
    .option('--tag <name>', 'the run (default: the only run, or the most recent one)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: StatusFlags) => { process.exitCode = statusCommand(flags); });
}

/** The tags under runs/ that have a journal, most recently written first. */
export function runTags(repo: string): string[] {
  const dir = path.join(repo, 'runs');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((t) => fs.existsSync(path.join(dir, t, 'journal.jsonl')))
    .sort((a, b) => fs.statSync(path.join(dir, b, 'journal.jsonl')).mtimeMs - fs.statSync(path.join(dir, a, 'journal.jsonl')).mtimeMs);
}

/** Resolves --tag against runs/, with a message listing the runs when it is unknown. */
export function pickTag(repo: string, tag: string | undefined): string {
  const tags = runTags(repo);
  if (tag) {
    if (!tags.includes(tag)) {
      throw new UserError(`unknown run "${tag}"`, tags.length ? `runs/ has journals for: ${tags.join(', ')}` : 'runs/ has no run journals yet',
        tags.length ? 'pass one of those with --tag' : 'start one with `npx autoresearch run`');
    }
    return tag;
  }
  if (tags.length === 0) throw new UserError('no runs yet', 'runs/ has no run journals', 'start one with `npx autoresearch run`');
  return tags[0];
}

/** A run's status from its journal and runs/.lock; what `status --json` prints and `serve` shows live. */
export function runStatus(repo: string, tag: string, nowMs: number = Date.now()) {
  const events = Journal.open(path.join(repo, 'runs', tag, 'journal.jsonl')).events();
  const st = reduceState(events);
  const start = events.filter((e): e is EventOf<'session_start'> => e.type === 'session_start').pop();
  const config = start ? validateConfig(start.config, 'the run\'s config snapshot') : null;
  const lock = readLock(repo);
  const live = lock !== null && lock.tag === tag && pidAlive(lock.pid);
  const done = st.counts.kept + st.counts.discarded + st.counts.errors;
  const phase = config ? phaseFor(Math.max(1, st.nextIteration), config.phases) : null;
  const eta = config && live ? etaToBudget({
    budget: config.budget, done, secondsPerIteration: st.secondsPerIteration, costUsd: st.costUsd,
    sessionStartMs: start ? Date.parse(start.t) : null, nowMs,
  }) : null;
  const out = {
    tag, live, pid: live ? lock!.pid : null, iteration: st.iteration, phase: phase?.name ?? null,
    best: st.best ? { payout: st.best.payout, iteration: st.best.iteration, ref: st.best.sha ?? st.best.ref } : null,
    baseline: st.baseline, kept: st.counts.kept, discarded: st.counts.discarded, errors: st.counts.errors,
    duplicates: st.counts.duplicates, consecutive_discards: st.consecutiveDiscards, tokens: st.tokens,
    cost_usd: st.costUsd, seconds_per_iteration: st.secondsPerIteration,
    budget: config?.budget ?? null, eta_seconds: eta?.seconds ?? null, eta_budget: eta?.budget ?? null, pending: st.pending?.iteration ?? null,
    last_event: st.lastEventTime,
  };
  return { out, st, config, lock, eta };
}

export type RunStatus = ReturnType<typeof runStatus>['out'];

function statusCommand(flags: StatusFlags): number {
  const repo = repoRoot();
  const tag = pickTag(repo, flags.tag);
  const { out, st, config, lock, eta } = runStatus(repo, tag);
  const live = out.live;
  if (flags.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const f = (v: number | null | undefined, d = 5) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
  process.stdout.write([
    `run ${tag}: ${live ? `live (pid ${lock!.pid})` : 'not running'}; iteration ${st.iteration}, phase ${out.phase ?? 'n/a'}`,
    `best payout ${f(st.best?.payout)}${st.best ? ` (exp ${st.best.iteration}, ${(st.best.sha ?? st.best.ref).slice(0, 12)})` : ''}; baseline ${f(st.baseline?.payout)} σ ${f(st.baseline?.sigma)}`,
    `kept ${st.counts.kept}, discarded ${st.counts.discarded}, errors ${st.counts.errors}; consecutive discards ${st.consecutiveDiscards}`,
    `tokens in ${st.tokens.input} out ${st.tokens.output} cache-read ${st.tokens.cache_read}; spend $${st.costUsd.toFixed(4)}${config?.budget.max_cost_usd != null ? ` of $${config.budget.max_cost_usd}` : ''}`,
    `time per iteration ${st.secondsPerIteration === null ? 'n/a' : `${st.secondsPerIteration.toFixed(1)} s`}${eta ? `; ${eta.budget} reached in about ${(eta.seconds / 60).toFixed(1)} min` : ''}`,
  ].join('\n') + '\n');
  return 0;
}
