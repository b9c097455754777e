// A hand-written journal for the results-table tests: a baseline, a keep, a duplicate, an agent
// failure and a candidate still waiting for its decision, with one llm_call line written twice.
import { EventSchema, JOURNAL_VERSION, type JournalEvent } from '../../../agent/events.ts';

const tokens = (input: number, output: number) => ({ input, output, cache_read: 0, cache_write: 0 });
const at = (i: number) => `2026-03-01T00:00:${String(i).padStart(2, '0')}.000Z`;

function candidate(iteration: number, over: Record<string, unknown> = {}) {
  return {
    type: 'candidate', iteration, ref: `c${iteration}`, refName: `refs/autoresearch/mar1/${iteration}`, parent: 'p', diff: '',
    hypothesis: `try ${iteration}`, category: 'optimizer', tokens: tokens(100, 20), cost_usd: 0.001, agent: 'mutate', ...over,
  };
}

const none = { corr: null, bmc: null, payout: null };

/** The events of run "mar1", schema-checked. */
export function sampleEvents(): JournalEvent[] {
  const raw: Record<string, unknown>[] = [
    { type: 'session_start', session: 1, tag: 'mar1', branch: 'autoresearch/mar1', head: 'h0', agent: 'mutate', resumed: false,
      config: { eval: { backend: 'auto', seeds: [1, 2] } } },
    { type: 'baseline', ref: 'base0', sigma: 0.0085, margin: 0.01, payout: 0.018, perEra: [0.01, -0.02, 0.03],
      seeds: [{ seed: 1, corr: 0.01, bmc: 0.002, payout: 0.012, fnc: 0.005 }, { seed: 2, corr: 0.02, bmc: 0.004, payout: 0.024, fnc: 0.007 }],
      bmcLast200: 0.003, corrWithBenchmark: 0.5 },
    { type: 'llm_call', iteration: 1, purpose: 'propose', model: 'm', tokens: tokens(1000, 200), cost_usd: 0.01, ok: true },
    { type: 'llm_call', iteration: 1, purpose: 'learn', model: 'm', tokens: tokens(500, 100), cost_usd: 0.002, ok: true },
    candidate(1),
    { type: 'decision', iteration: 1, decision: 'keep', reason: 'better', payout: 0.03, corr: 0.02, bmc: 0.007, fnc: 0.011,
      sharpe: 1.5, maxDrawdown: 0.004, std: 0.001, delta: 0.012, bestBefore: 0.018, seconds: 12.5,
      seeds: [{ seed: 1, corr: 0.02, bmc: 0.007, payout: 0.03, fnc: 0.011 }], bmcLast200: 0.006, corrWithBenchmark: 0.41, backend: 'wasm' },
    { type: 'commit', iteration: 1, sha: 'kept1' },
    { type: 'learnings', iteration: 1, chars: 10, by: 'template' },
    candidate(2, { duplicateOf: 1 }),
    { type: 'decision', iteration: 2, decision: 'discard', reason: 'duplicate of exp 1', payout: 0.03, corr: 0.02, bmc: 0.007,
      std: 0.001, delta: 0, bestBefore: 0.03, seeds: [{ seed: 1, ...none }] },
    { type: 'learnings', iteration: 2, chars: 10, by: 'template' },
    { type: 'llm_call', iteration: 3, purpose: 'propose', model: 'm', tokens: tokens(300, 0), cost_usd: 0.003, ok: false, error: 'boom' },
    candidate(3, { outcome: 'failed', error: 'boom', hypothesis: 'nothing' }),
    { type: 'decision', iteration: 3, decision: 'error', reason: 'no edit', payout: null, corr: null, bmc: null, std: null, delta: null,
      bestBefore: 0.03, seeds: [] },
    { type: 'learnings', iteration: 3, chars: 10, by: 'template' },
    candidate(4),
  ];
  const events = raw.map((e, i) => EventSchema.parse({ ...e, v: JOURNAL_VERSION, t: at(i) }));
  // a retried append: the same line twice must be counted once
  return [...events.slice(0, 3), events[2], ...events.slice(3)];
}
