// The proposer contract shared by the claude, openai and mutate agents. The loop builds the prompt,
// hands an agent one ProposeContext per iteration, and journals every LlmCall it reports.
import type { Category, JournalEvent, Tokens } from '../events.ts';
import type { Config, Secrets } from '../config.ts';

export type { Category, Tokens } from '../events.ts';

export type AgentName = 'claude' | 'openai' | 'mutate';

/** The prompt in three parts so the stable prefix can be cached (built by agent/prompt.ts). */
export interface PromptParts {
  /** stable prefix: program.md human part + harness contract + rules (cache breakpoint 1) */
  fixed: string;
  /** learnings.md (cache breakpoint 2) */
  learnings: string;
  /** DO NOT RETRY table, near-misses with diffs, current train/ source, recent results, phase, plateau hint */
  dynamic: string;
}

/** One HTTP attempt against a model API, failed attempts included. */
export interface LlmCall {
  purpose: 'propose' | 'repair' | 'learn';
  model: string;
  tokens: Tokens;
  costUsd: number;
  ok: boolean;
  error?: string;
}

export interface Proposal {
  /** failed: the API gave up or the repair rounds ran out; train/ is left as the agent left it and the loop reverts it */
  outcome: 'edited' | 'no-edit' | 'failed';
  hypothesis: string;
  category: Category;
  subcategory: string;
  expected: string;
  /** mutate only: the full tunable assignment tried */
  settings?: Record<string, unknown>;
  /** every API call of this proposal, in order, for the journal and the budget */
  calls: LlmCall[];
  error?: string;
}

export interface DoNotRetryRow { category: string; subcategory: string; status: string }

export interface NearMiss { iteration: number; settings?: Record<string, unknown>; diff: string; payout: number }

export interface ProposeContext {
  iteration: number;
  /** the repository whose train/ the agent edits */
  repoDir: string;
  prompt: PromptParts;
  config: Config;
  secrets: Secrets;
  /** the journal so far; mutate reads earlier candidates' settings so it never repeats one */
  events: readonly JournalEvent[];
  /** rows whose status starts with EXHAUSTED are honoured by mutate */
  doNotRetry: readonly DoNotRetryRow[];
  nearMisses: readonly NearMiss[];
  /** aborting rejects propose() with the signal's reason (no Proposal) */
  signal?: AbortSignal;
  /** invoked right after each API call so the loop can journal it immediately */
  onCall?(call: LlmCall): void;
}

export interface LearnContext {
  iteration: number;
  /** the full learnings-synthesis prompt (built by agent/knowledge) */
  prompt: string;
  config: Config;
  secrets: Secrets;
  signal?: AbortSignal;
  onCall?(call: LlmCall): void;
}

export interface Agent {
  name: AgentName;
  propose(ctx: ProposeContext): Promise<Proposal>;
  /**
   * Rewrites learnings.md. Returns null when this agent has no model to ask (mutate without a template)
   * or the API gave up — the caller then renders its deterministic template instead.
   */
  learn(ctx: LearnContext): Promise<{ text: string; calls: LlmCall[] } | null>;
}

/** Effects an agent needs besides the network; tests pass fakes. */
export interface AgentDeps {
  /** waits between retries; default: an abortable setTimeout */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /** one-line warnings (unknown model price); default: stderr */
  warn?(line: string): void;
  /** mutate's learnings text when it has no model; without it mutate.learn returns null */
  learningsTemplate?(iteration: number): string;
}

export const ZERO_TOKENS: Tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
