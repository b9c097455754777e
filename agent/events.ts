// The journal's event schema (version 1). Every line of runs/<tag>/journal.jsonl is one of these,
// written (fsynced) before git moves; resume, status, learnings and DO NOT RETRY are computed from them.
import { z } from 'zod';

export const JOURNAL_VERSION = 1;

export const CATEGORIES = [
  'architecture', 'loss', 'optimizer', 'regularization', 'data/targets',
  'features', 'ensembling', 'training-procedure', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

const Tokens = z.object({
  input: z.number(), output: z.number(),
  cache_read: z.number().default(0), cache_write: z.number().default(0),
});
export type Tokens = z.infer<typeof Tokens>;

/** Scores of one evaluated seed (means over its out-of-fold eras). */
const SeedScore = z.object({
  seed: z.number(), corr: z.number().nullable(), bmc: z.number().nullable(), payout: z.number().nullable(),
  /** feature-neutral corr; absent when FNC was not computed (eval.fnc off, or a journal from before FNC) */
  fnc: z.number().nullable().optional(),
});
export type SeedScore = z.infer<typeof SeedScore>;

const base = { v: z.literal(JOURNAL_VERSION), t: z.string() };

export const EventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('session_start'), session: z.number(), tag: z.string(), branch: z.string(),
    head: z.string(), agent: z.string(), resumed: z.boolean(), config: z.record(z.unknown()), changed: z.array(z.string()).default([]) }),
  z.object({ ...base, type: z.literal('baseline'), ref: z.string(), seeds: z.array(SeedScore), sigma: z.number(),
    margin: z.number(), payout: z.number(), perEra: z.array(z.number()).optional(),
    earlyDiscard: z.number().optional(), sourceHash: z.string().optional(),
    /** seed means of BMC over the last 200 eras and of the per-era corr with the benchmark */
    bmcLast200: z.number().nullable().optional(), corrWithBenchmark: z.number().nullable().optional(),
    seconds: z.number().optional() }),
  z.object({ ...base, type: z.literal('llm_call'), iteration: z.number(), purpose: z.enum(['propose', 'repair', 'learn']),
    model: z.string(), tokens: Tokens, cost_usd: z.number(), ok: z.boolean(), error: z.string().optional() }),
  z.object({ ...base, type: z.literal('candidate'), iteration: z.number(), ref: z.string(), refName: z.string(), parent: z.string(),
    diff: z.string(), hypothesis: z.string(), category: z.enum(CATEGORIES), subcategory: z.string().default(''),
    expected: z.string().default(''), tokens: Tokens, cost_usd: z.number(), agent: z.string(),
    settings: z.record(z.unknown()).optional(), duplicateOf: z.number().nullable().default(null),
    /** git tree hash of the candidate's train/ (resume matches a dirty train/ against it) */
    tree: z.string().optional(),
    /** hash of the candidate's train/ source with comments and whitespace normalised (duplicate check) */
    sourceHash: z.string().optional(),
    /** why the agent produced no evaluable edit (outcome no-edit / failed) */
    outcome: z.enum(['edited', 'no-edit', 'failed']).default('edited'), error: z.string().optional() }),
  z.object({ ...base, type: z.literal('job'), iteration: z.number(), fold: z.number(), seed: z.number(),
    status: z.enum(['ok', 'crash', 'timeout', 'invalid', 'oom']), seconds: z.number(), message: z.string().optional(),
    file: z.string().optional() }),
  z.object({ ...base, type: z.literal('decision'), iteration: z.number(), decision: z.enum(['keep', 'discard', 'error']),
    reason: z.string(), payout: z.number().nullable(), corr: z.number().nullable(), bmc: z.number().nullable(),
    fnc: z.number().nullable().default(null), sharpe: z.number().nullable().default(null), maxDrawdown: z.number().nullable().default(null),
    std: z.number().nullable(), delta: z.number().nullable(), seeds: z.array(SeedScore), bestBefore: z.number().nullable(),
    perEra: z.array(z.number()).optional(), seconds: z.number().default(0),
    /** seed means of BMC over the last 200 eras and of the per-era corr with the benchmark */
    bmcLast200: z.number().nullable().optional(), corrWithBenchmark: z.number().nullable().optional(),
    /** the tf backend the trainer jobs ran on */
    backend: z.string().optional() }),
  z.object({ ...base, type: z.literal('commit'), iteration: z.number(), sha: z.string() }),
  z.object({ ...base, type: z.literal('learnings'), iteration: z.number(), chars: z.number(), by: z.string() }),
  z.object({ ...base, type: z.literal('session_end'), session: z.number(), reason: z.string(), iterations: z.number() }),
]);

export type JournalEvent = z.infer<typeof EventSchema>;
export type EventOf<T extends JournalEvent['type']> = Extract<JournalEvent, { type: T }>;
/** An event as passed to Journal.append: version and time are filled in. */
export type NewEvent = { [K in JournalEvent['type']]: Omit<EventOf<K>, 'v' | 't'> }[JournalEvent['type']];
