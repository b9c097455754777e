// Builds journal event lists for the state, knowledge and prompt tests. Every event goes through
// EventSchema.parse, so the defaults are the real ones and an invalid event fails the test.
import { EventSchema, JOURNAL_VERSION, type Category, type EventOf, type JournalEvent } from '../../../agent/events.ts';

export interface ExpOptions {
  payout?: number | null;
  delta?: number | null;
  category?: Category;
  subcategory?: string;
  hypothesis?: string;
  diff?: string;
  duplicateOf?: number | null;
  seeds?: number[];
  folds?: number;
  seconds?: number;
  reason?: string;
  settings?: Record<string, unknown>;
  ref?: string;
  /** the last lifecycle step to journal (default: all of them) */
  until?: 'candidate' | 'jobs' | 'decision' | 'commit' | 'learnings';
}

const STEPS = ['candidate', 'jobs', 'decision', 'commit', 'learnings'] as const;

export class JournalBuilder {
  readonly events: JournalEvent[] = [];
  private clock = 0;

  /** Appends a raw event (v and t filled in) after validating it. */
  add(e: Record<string, unknown> & { type: JournalEvent['type'] }): this {
    const t = new Date(Date.UTC(2026, 0, 1) + this.clock++ * 1000).toISOString();
    this.events.push(EventSchema.parse({ v: JOURNAL_VERSION, t, ...e }));
    return this;
  }

  /** Appends an exact copy of the last event (a retried journal write). */
  repeatLast(): this {
    this.events.push(structuredClone(this.events[this.events.length - 1]));
    return this;
  }

  session(session = 1): this {
    return this.add({ type: 'session_start', session, tag: 'test', branch: 'autoresearch/test', head: 'h0', agent: 'mutate', resumed: session > 1, config: {} });
  }

  baseline(payout: number, opts: { ref?: string; sigma?: number; margin?: number; perEra?: number[] } = {}): this {
    return this.add({ type: 'baseline', ref: opts.ref ?? 'base0', seeds: [], sigma: opts.sigma ?? 0.001, margin: opts.margin ?? 0.0005, payout, ...(opts.perEra ? { perEra: opts.perEra } : {}) });
  }

  llm(iteration: number, cost: number, tokens = { input: 100, output: 10 }, purpose: 'propose' | 'repair' | 'learn' = 'propose'): this {
    return this.add({ type: 'llm_call', iteration, purpose, model: 'm', tokens, cost_usd: cost, ok: true });
  }

  job(iteration: number, fold: number, seed: number, status: EventOf<'job'>['status'] = 'ok'): this {
    return this.add({ type: 'job', iteration, fold, seed, status, seconds: 1 });
  }

  /** One iteration's lifecycle: candidate, jobs, decision, commit (keep only), learnings. */
  exp(iteration: number, decision: 'keep' | 'discard' | 'error', o: ExpOptions = {}): this {
    const stop = STEPS.indexOf(o.until ?? 'learnings');
    const seeds = o.seeds ?? [42];
    this.add({
      type: 'candidate', iteration, ref: o.ref ?? `c${iteration}`, refName: `refs/autoresearch/test/${iteration}`, parent: 'p',
      diff: o.diff ?? `--- a/train/train.ts\n+++ b/train/train.ts\n-const X = ${iteration - 1};\n+const X = ${iteration};`,
      hypothesis: o.hypothesis ?? `hypothesis ${iteration}`, category: o.category ?? 'architecture', subcategory: o.subcategory ?? '',
      tokens: { input: 0, output: 0 }, cost_usd: 0, agent: 'mutate', duplicateOf: o.duplicateOf ?? null,
      ...(o.settings ? { settings: o.settings } : {}),
    });
    if (stop >= 1) for (const seed of seeds) for (let f = 0; f < (o.folds ?? 2); f++) this.job(iteration, f, seed);
    if (stop >= 2) {
      const payout = o.payout === undefined ? (decision === 'error' ? null : 0.02) : o.payout;
      this.add({
        type: 'decision', iteration, decision, reason: o.reason ?? decision, payout, corr: payout, bmc: payout === null ? null : payout / 2,
        std: null, delta: o.delta === undefined ? (payout === null ? null : payout - 0.02) : o.delta,
        seeds: seeds.map((seed) => ({ seed, corr: null, bmc: null, payout })), bestBefore: 0.02, seconds: o.seconds ?? 10,
      });
    }
    if (stop >= 3 && decision === 'keep') this.add({ type: 'commit', iteration, sha: `sha${iteration}` });
    if (stop >= 4) this.add({ type: 'learnings', iteration, chars: 100, by: 'template' });
    return this;
  }
}
