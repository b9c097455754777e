// The configuration schema with every default in one place (`autoresearch config --print` shows them).
import { z } from 'zod';

const Price = z.object({
  input: z.number().nonnegative(), output: z.number().nonnegative(),
  cache_write: z.number().nonnegative(), cache_read: z.number().nonnegative(),
}).strict();

const Phase = z.object({ name: z.string(), from: z.number().int().positive(), strategy: z.string() }).strict();

/** Seed 002's eight phases (adaptation 7). `from` is the first iteration of the phase. */
export const DEFAULT_PHASES: z.infer<typeof Phase>[] = [
  { name: 'explore', from: 1, strategy: 'Make single, focused changes and explore broadly across categories.' },
  { name: 'combine', from: 26, strategy: 'Combine 2-3 changes; mix the near-misses with each other.' },
  { name: 'rethink', from: 51, strategy: 'Try fundamentally different approaches (loss, targets, training procedure).' },
  { name: 'exploit', from: 76, strategy: 'Exploit the best region with small perturbations of the best configuration.' },
  { name: 'robustness', from: 268, strategy: 'Improve evaluation robustness: seed ensembles, stability across eras.' },
  { name: 'tabular-architectures', from: 301, strategy: 'Try tabular-specific architectures (FT-Transformer-like, gating, embeddings).' },
  { name: 'training-paradigms', from: 351, strategy: 'Try training paradigm shifts (SAM, mixup, manifold mixup, lookahead).' },
  { name: 'ensemble-diversity', from: 401, strategy: 'Build ensemble diversity aimed at maximising BMC.' },
];

export const ConfigSchema = z.object({
  data: z.object({
    /** a Numerai v5.x directory; null → the built-in synthetic dataset (made on first use under runs/) */
    dir: z.string().nullable().default(null),
    feature_set: z.string().default('all'),
    /** the scored target */
    target: z.string().default('target'),
    /** extra targets handed to the trainer; "all" → every target in features.json */
    aux_targets: z.union([z.literal('all'), z.array(z.string())]).default('all'),
    /** benchmark column, "auto" (first *_benchmark_models column matching the target's name) or null */
    benchmark: z.string().nullable().default('auto'),
    synthetic: z.object({
      seed: z.number().int().nonnegative().default(0),
      eras: z.number().int().positive().default(240),
      rows_per_era: z.number().int().positive().default(200),
      features: z.number().int().positive().default(48),
    }).strict().default({}),
  }).strict().default({}),
  cv: z.object({
    folds: z.number().int().min(2).default(4),
    embargo: z.number().int().nonnegative().default(13),
    mode: z.enum(['blocked', 'expanding']).default('blocked'),
    downsample: z.number().int().positive().default(1),
    holdout: z.number().int().nonnegative().default(20),
  }).strict().default({}),
  eval: z.object({
    /** 5: bench/gate-validity kept a planted ~8% gain (2.4–2.5σ) 95–99% of the time with 5 seeds, 82% with 3 */
    seeds: z.array(z.number().int()).min(1).default([42, 17, 73, 11, 29]),
    /** 0 → number of cores */
    workers: z.number().int().nonnegative().default(0),
    job_timeout_s: z.number().positive().default(600),
    memory_mb: z.number().int().positive().default(4096),
    backend: z.enum(['auto', 'tensorflow', 'native', 'wasm', 'cpu']).default('auto'),
    /** feature-neutral corr per candidate; "auto" → only for feature sets of ≤ 100 features (its cost grows with features²) */
    fnc: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  }).strict().default({}),
  gate: z.object({
    /** "auto" → margin_k·σ/√seeds from the measured noise floor */
    margin: z.union([z.literal('auto'), z.number().nonnegative()]).default('auto'),
    /** 3 with 10 noise seeds: 1.4% false keeps in bench/gate-validity's simulation (2 with 3 seeds: 14%) */
    margin_k: z.number().nonnegative().default(3),
    /** first-seed early discard when below best by more than this; "auto" → 3σ */
    early_discard: z.union([z.literal('auto'), z.number().nonnegative()]).default('auto'),
    paired_test: z.boolean().default(false),
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** baseline seeds for σ; 3 made σ̂ itself so noisy that the margin let 14% of null candidates through */
    noise_seeds: z.number().int().min(2).default(10),
  }).strict().default({}),
  payout: z.object({ corr: z.number().default(0.75), bmc: z.number().default(2.25) }).strict().default({}),
  budget: z.object({
    max_iterations: z.number().int().positive().nullable().default(null),
    max_hours: z.number().positive().nullable().default(null),
    max_cost_usd: z.number().nonnegative().nullable().default(null),
  }).strict().default({}),
  agent: z.object({
    kind: z.enum(['auto', 'claude', 'openai', 'mutate']).default('auto'),
    model: z.string().default('claude-sonnet-4-6'),
    /** the cheaper model that rewrites learnings.md */
    learn_model: z.string().default('claude-haiku-4-5'),
    /** OpenAI-compatible endpoint for kind "openai" (Ollama, vLLM, llama.cpp server) */
    openai_base_url: z.string().default('http://127.0.0.1:11434/v1'),
    openai_model: z.string().default('qwen2.5-coder:14b'),
    max_tokens: z.number().int().positive().default(8192),
    max_repair_rounds: z.number().int().nonnegative().default(3),
    max_tool_turns: z.number().int().positive().default(30),
    request_timeout_s: z.number().positive().default(600),
    max_retries: z.number().int().nonnegative().default(6),
  }).strict().default({}),
  /** USD per million tokens; a model missing here is costed at 0 with a warning — add yours */
  prices: z.record(Price).default({
    'claude-opus-4-5': { input: 5, output: 25, cache_write: 6.25, cache_read: 0.5 },
    'claude-sonnet-4-6': { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 },
    'claude-sonnet-4-5': { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 },
    'claude-haiku-4-5': { input: 1, output: 5, cache_write: 1.25, cache_read: 0.1 },
  }),
  phases: z.array(Phase).min(1).default(DEFAULT_PHASES),
  plateau: z.object({ threshold: z.number().int().positive().default(15) }).strict().default({}),
  knowledge: z.object({
    learnings_max_chars: z.number().int().positive().default(12000),
    near_misses: z.number().int().nonnegative().default(3),
    /** a category is EXHAUSTED after this many trials without a keep */
    exhausted_after: z.number().int().positive().default(8),
    /** "confidently bad": tried at least this many times, always worse */
    confident_after: z.number().int().positive().default(3),
    recent_results: z.number().int().nonnegative().default(10),
  }).strict().default({}),
}).strict();

export type Config = z.infer<typeof ConfigSchema>;
export type Phase = z.infer<typeof Phase>;
export type Price = z.infer<typeof Price>;
