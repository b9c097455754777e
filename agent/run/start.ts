// Starting (or resuming) a run: every check that can refuse happens before anything is touched —
// program.md, agent and key, endpoint, lock, clean repository, journal readable, branch matching
// the journal — then the session runs and always ends with a journal line and a summary.
import fs from 'node:fs';
import path from 'node:path';
import { openHarness, probeBackend } from '../../harness/session.ts';
import { UserError } from '../../harness/errors.ts';
import { HarnessChangedError, sealHarness } from '../../harness/integrity.ts';
import { sweepStaleJobs } from '../../harness/runner/proctree.ts';
import { createAgent } from '../agents/index.ts';
import type { AgentName } from '../agents/types.ts';
import { deepMerge, validateConfig, type Config, type ConfigOverrides, type Secrets } from '../config.ts';
import type { EventOf } from '../events.ts';
import { assertClean, branchName, revertTrain, startBranch, validateTag, workingTrainDiff } from '../git.ts';
import { harnessOptions } from '../harness-options.ts';
import { Journal } from '../journal.ts';
import { humanPart } from '../knowledge/donotretry.ts';
import { acquireLock } from '../lock.ts';
import { reduceState } from '../state.ts';
import { fileAtHead } from './gitx.ts';
import { runIterations } from './session.ts';
import type { RunContext } from './context.ts';

export interface RunRequest {
  repo: string;
  tag: string;
  config: Config;
  /** the flag overrides alone (a resumed run applies them over its snapshot) */
  overrides: ConfigOverrides;
  secrets: Secrets;
  log(line: string): void;
  signal: AbortSignal;
  now?: () => number;
}

export interface RunSummary { tag: string; reason: string; iterations: number; kept: number; best: number | null; costUsd: number }

/** Chooses the agent: explicit kind, else claude when a key is set, else mutate (and says so). */
export function chooseAgent(kind: Config['agent']['kind'], secrets: Secrets, log: (l: string) => void): AgentName {
  if (kind === 'claude' && !secrets.anthropicApiKey) {
    throw new UserError('the claude agent needs an API key', 'ANTHROPIC_API_KEY is not set',
      'export ANTHROPIC_API_KEY=... (and ANTHROPIC_BASE_URL for a proxy), or run with --agent mutate');
  }
  if (kind !== 'auto') return kind;
  if (secrets.anthropicApiKey) return 'claude';
  log('no ANTHROPIC_API_KEY and no --agent: using the built-in mutate agent (a search over the UPPER_CASE tunables of train/train.ts, no LLM)');
  return 'mutate';
}

/** Runs a session for `req.tag`, creating or resuming it. */
export async function startRun(req: RunRequest): Promise<RunSummary> {
  const { repo, tag, log } = req;
  validateTag(tag);
  checkProgramMd(repo);
  const journalFile = path.join(repo, 'runs', tag, 'journal.jsonl');
  const journal = Journal.open(journalFile);
  const prior = journal.events();
  const snapshot = prior.find((e): e is EventOf<'session_start'> => e.type === 'session_start');
  const { config, changed } = snapshot ? resumedConfig(snapshot.config, req.overrides) : { config: req.config, changed: [] as string[] };
  if (snapshot) log(`resuming run "${tag}" with its config snapshot${changed.length ? `; changed by flags: ${changed.join(', ')}` : ''}`);
  const agentName = chooseAgent(config.agent.kind, req.secrets, log);
  await probeEndpoint(agentName, config, req.secrets);
  const lock = acquireLock(repo, { tag });
  if (lock.tookOver) log(`took over a stale lock from pid ${lock.tookOver.pid} (no longer running)`);
  // with the lock held nothing else may run jobs for this tag: any trainer still here is an orphan
  const swept = sweepStaleJobs(path.dirname(journalFile));
  if (swept > 0) log(`killed ${swept} trainer job(s) left running by an earlier session of "${tag}"`);
  const sessionStart = (req.now ?? Date.now)();
  let ctx: RunContext | null = null;
  let reason = 'error';
  try {
    await assertClean(repo, { allow: await allowedDirty(repo, prior.length > 0) });
    sealHarness(repo);
    // bad data is refused before the branch is created or checked out
    const harness = await openHarness(harnessOptions(config, repo, log));
    const probe = probeBackend(config.eval.backend);
    log(`backend: ${probe.backend ?? 'unavailable'}${probe.note ? ` (${probe.note})` : ''}`);
    log(`sandbox: ${harness.sandbox.note}`);
    const head = await startBranch(repo, tag);
    checkHead(prior, head, tag);
    if (prior.length > 0) await setAsideDirtyTrain(repo, path.dirname(journalFile), prior, log);
    const agent = createAgent(agentName, config, req.secrets);
    const state = reduceState(prior);
    const session = state.lastSession + 1;
    journal.append({
      type: 'session_start', session, tag, branch: branchName(tag), head, agent: agentName, resumed: prior.length > 0,
      config: config as unknown as Record<string, unknown>, changed,
    });
    ctx = {
      repo, tag, config, secrets: req.secrets, journal, harness, agent, runDir: path.dirname(journalFile),
      signal: req.signal, log, now: req.now ?? Date.now,
    };
    reason = await runIterations(ctx, sessionStart);
    return summary(ctx, reason);
  } catch (e) {
    if (e instanceof HarnessChangedError) reason = e.what;
    throw e;
  } finally {
    if (ctx) {
      const st = reduceState(ctx.journal.events());
      ctx.journal.append({ type: 'session_end', session: st.lastSession, reason, iterations: st.counts.kept + st.counts.discarded + st.counts.errors });
    }
    lock.release();
  }
}

/** Copies a dirty train/ left by an interrupted session aside, then restores train/ to HEAD. */
async function setAsideDirtyTrain(repo: string, runDir: string, prior: ReturnType<Journal['events']>, log: (l: string) => void): Promise<void> {
  if ((await workingTrainDiff(repo)).trim() === '') return;
  const dest = path.join(runDir, `interrupted-train-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.cpSync(path.join(repo, 'train'), dest, { recursive: true });
  await revertTrain(repo);
  const pending = reduceState(prior).pending;
  log(`train/ had uncommitted changes from the interrupted session; copied to ${path.relative(repo, dest)} and restored${pending ? ` (exp ${pending.iteration} is re-run from its ref)` : ''}`);
}

function summary(ctx: RunContext, reason: string): RunSummary {
  const st = reduceState(ctx.journal.events());
  return {
    tag: ctx.tag, reason, iterations: st.counts.kept + st.counts.discarded + st.counts.errors,
    kept: st.counts.kept, best: st.best?.payout ?? null, costUsd: st.costUsd,
  };
}

function checkProgramMd(repo: string): void {
  const file = path.join(repo, 'program.md');
  if (!fs.existsSync(file)) {
    throw new UserError('program.md not found', `the research brief is missing from ${repo}`,
      'write program.md (the goal, the data, the constraints and ideas for the agent) and commit it');
  }
  if (humanPart(fs.readFileSync(file, 'utf8')).trim() === '') {
    throw new UserError('program.md is empty', 'the agent needs a research brief to work from',
      'write the goal, the data, the constraints and ideas worth trying into program.md and commit it');
  }
}

/**
 * program.md may differ from HEAD only in its generated DO NOT RETRY section; train/ may be dirty
 * only when resuming (the interrupted iteration's edit, restored from its ref or set aside).
 */
async function allowedDirty(repo: string, resuming: boolean): Promise<string[]> {
  const allow = ['runs/', 'learnings.md'];
  if (resuming) allow.push('train/');
  const atHead = await fileAtHead(repo, 'program.md');
  const now = fs.readFileSync(path.join(repo, 'program.md'), 'utf8');
  if (atHead !== null && humanPart(atHead) === humanPart(now)) allow.push('program.md');
  return allow;
}

/** The branch head must be the journal's last kept commit (or the baseline's commit before any keep). */
function checkHead(events: ReturnType<Journal['events']>, head: string, tag: string): void {
  const commits = events.filter((e): e is EventOf<'commit'> => e.type === 'commit');
  const base = events.find((e): e is EventOf<'baseline'> => e.type === 'baseline');
  const expected = commits.length ? commits[commits.length - 1].sha : base?.ref;
  if (!expected || expected === head) return;
  const decisions = events.filter((e): e is EventOf<'decision'> => e.type === 'decision');
  const last = decisions[decisions.length - 1];
  // a keep that was committed before its commit event was written: resume records it
  if (last?.decision === 'keep' && !commits.some((c) => c.iteration === last.iteration)) return;
  throw new UserError(`the branch ${branchName(tag)} is at ${head.slice(0, 12)}, but the journal's last kept commit is ${expected.slice(0, 12)}`,
    'the branch was moved outside autoresearch, so the journal and git no longer describe the same history',
    `move it back (git branch -f ${branchName(tag)} ${expected.slice(0, 12)} from another branch) or start a new --tag`);
}

function resumedConfig(snapshot: Record<string, unknown>, overrides: ConfigOverrides): { config: Config; changed: string[] } {
  const config = validateConfig(deepMerge(snapshot, overrides), 'the run\'s config snapshot');
  const changed: string[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], p ? `${p}.${k}` : k);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) changed.push(p);
  };
  walk(snapshot, config, '');
  return { config, changed };
}

/** Fails fast, before anything is touched, when the model endpoint cannot be reached at all. */
async function probeEndpoint(agent: AgentName, config: Config, secrets: Secrets): Promise<void> {
  if (agent === 'mutate') return;
  const url = agent === 'claude' ? (secrets.anthropicBaseUrl ?? 'https://api.anthropic.com') : config.agent.openai_base_url;
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(`cannot reach the ${agent} endpoint ${url}`, cause?.code ?? cause?.message ?? (e as Error).message,
      agent === 'claude' ? 'check the network or ANTHROPIC_BASE_URL, or run with --agent mutate' : 'start the local model server (e.g. `ollama serve`) or set agent.openai_base_url');
  }
}
