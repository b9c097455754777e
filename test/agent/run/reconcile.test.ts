import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remainingSteps } from '../../../agent/run/reconcile.ts';
import type { IterationRecord } from '../../../agent/state.ts';

type Rec = Pick<IterationRecord, 'decision' | 'commit' | 'learnings'>;
const decision = (d: 'keep' | 'discard' | 'error') => ({ decision: d }) as unknown as IterationRecord['decision'];
const commit = {} as IterationRecord['commit'];
const learnings = {} as IterationRecord['learnings'];

test('resume reconciliation: the steps left for each point an iteration can stop at', () => {
  const table: [string, Rec, string[]][] = [
    ['candidate journaled, nothing else (crash during proposal follow-up or evaluation)', { decision: null, commit: null, learnings: null }, ['decide', 'record', 'learn']],
    ['keep decided, not committed (crash between the decision line and git)', { decision: decision('keep'), commit: null, learnings: null }, ['record', 'learn']],
    ['keep committed and journaled, not learned', { decision: decision('keep'), commit, learnings: null }, ['learn']],
    ['discard decided (revert may or may not have happened)', { decision: decision('discard'), commit: null, learnings: null }, ['record', 'learn']],
    ['error decided', { decision: decision('error'), commit: null, learnings: null }, ['record', 'learn']],
    ['keep complete', { decision: decision('keep'), commit, learnings }, []],
    ['discard complete', { decision: decision('discard'), commit: null, learnings }, []],
  ];
  for (const [name, rec, steps] of table) assert.deepEqual(remainingSteps(rec), steps, name);
});
