// Step 1–2 of an iteration: build the prompt, let the agent edit train/, then freeze what it made
// as refs/autoresearch/<tag>/<n> and journal the candidate (diff, hypothesis, tokens, cost).
import fs from 'node:fs';
import path from 'node:path';
import type { LlmCall } from '../agents/types.ts';
import { ZERO_TOKENS } from '../agents/types.ts';
import type { Tokens } from '../events.ts';
import { candidateRef, formatMessage, snapshotCandidate, workingTrainDiff } from '../git.ts';
import { computeDoNotRetry } from '../knowledge/donotretry.ts';
import { nearMisses } from '../knowledge/near-misses.ts';
import { buildPrompt, type TrainFile } from '../prompt.ts';
import { findDuplicate, normalisedSourceHash } from './duplicate.ts';
import { checkStop, faultPoint, type RunContext } from './context.ts';
import { simpleGit } from 'simple-git';

/** Journals an API call the moment it returns, so cost is counted even if the process dies next. */
export function journalCall(ctx: RunContext, iteration: number, c: LlmCall): void {
  ctx.journal.append({
    type: 'llm_call', iteration, purpose: c.purpose, model: c.model, tokens: c.tokens, cost_usd: c.costUsd, ok: c.ok,
    ...(c.error ? { error: c.error } : {}),
  });
}

/** Asks the agent for candidate `iteration` and journals it; returns after the candidate event. */
export async function proposeIteration(ctx: RunContext, iteration: number): Promise<void> {
  const events = ctx.journal.events();
  const prompt = buildPrompt({
    programMd: read(ctx.repo, 'program.md'), learningsMd: read(ctx.repo, 'learnings.md'), events,
    config: ctx.config, trainFiles: trainFiles(ctx.repo), iteration,
  });
  const dnr = computeDoNotRetry(events, ctx.config.knowledge);
  const misses = nearMisses(events, ctx.config.knowledge.near_misses);
  ctx.log(`exp ${iteration}: asking the ${ctx.agent.name} agent for a candidate`);
  const proposal = await ctx.agent.propose({
    iteration, repoDir: ctx.repo, prompt, config: ctx.config, secrets: ctx.secrets, events,
    doNotRetry: dnr.map((r) => ({ category: r.category, subcategory: r.subcategory, status: r.status })),
    nearMisses: misses.map((m) => ({ iteration: m.iteration, settings: m.settings, diff: m.diff, payout: m.payout })),
    signal: ctx.signal,
    onCall: (c) => journalCall(ctx, iteration, c),
  });
  checkStop(ctx);
  const diff = await workingTrainDiff(ctx.repo);
  const outcome = proposal.outcome === 'edited' && diff.trim() === '' ? 'no-edit' : proposal.outcome;
  const sourceHash = normalisedSourceHash(path.join(ctx.repo, 'train'));
  const duplicateOf = outcome === 'edited' ? findDuplicate(events, sourceHash) : null;
  const head = (await simpleGit({ baseDir: ctx.repo }).raw(['rev-parse', 'HEAD'])).trim();
  const message = formatMessage({
    experiment: iteration, status: 'pending', payout: null, delta: null, corr: null, bmc: null, seeds: [],
    category: proposal.category, hypothesis: proposal.hypothesis, body: proposal.expected ? `Expected: ${proposal.expected}` : undefined,
  });
  const sha = await snapshotCandidate(ctx.repo, ctx.tag, iteration, message);
  const tree = (await simpleGit({ baseDir: ctx.repo }).raw(['rev-parse', `${sha}:train`]).catch(() => '')).trim();
  ctx.journal.append({
    type: 'candidate', iteration, ref: sha, refName: candidateRef(ctx.tag, iteration), parent: head, diff,
    hypothesis: proposal.hypothesis, category: proposal.category, subcategory: proposal.subcategory,
    expected: proposal.expected, tokens: sumTokens(proposal.calls), cost_usd: proposal.calls.reduce((s, c) => s + c.costUsd, 0),
    agent: ctx.agent.name, ...(proposal.settings ? { settings: proposal.settings } : {}), duplicateOf,
    ...(tree ? { tree } : {}), sourceHash, outcome, ...(proposal.error ? { error: proposal.error } : {}),
  });
  faultPoint(ctx, 'after-candidate', iteration);
  ctx.log(`exp ${iteration}: [${proposal.category}] ${proposal.hypothesis}${outcome !== 'edited' ? ` (${outcome}${proposal.error ? `: ${proposal.error}` : ''})` : ''}${duplicateOf !== null ? ` (duplicate of exp ${duplicateOf})` : ''}`);
}

function sumTokens(calls: LlmCall[]): Tokens {
  return calls.reduce((t, c) => ({
    input: t.input + c.tokens.input, output: t.output + c.tokens.output,
    cache_read: t.cache_read + c.tokens.cache_read, cache_write: t.cache_write + c.tokens.cache_write,
  }), { ...ZERO_TOKENS });
}

function read(repo: string, rel: string): string {
  const p = path.join(repo, rel);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
}

/** Every file under train/, repository-relative, sorted. */
export function trainFiles(repo: string, rel = 'train'): TrainFile[] {
  const out: TrainFile[] = [];
  const dir = path.join(repo, rel);
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...trainFiles(repo, r));
    else if (e.isFile()) out.push({ path: r, content: fs.readFileSync(path.join(repo, r), 'utf8') });
  }
  return out;
}
