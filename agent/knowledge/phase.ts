// The search phase and the plateau hint (seed 002, adaptations 7 and 8): both steer the agent
// away from spending iterations on noise-level variations of the same idea.
import { UserError } from '../../harness/errors.ts';
import type { Phase } from '../config-schema.ts';

export interface PhaseInfo {
  /** 0-based position in the configured phases */
  index: number;
  name: string;
  strategy: string;
}

/** The phase an iteration falls in: the one with the greatest `from` not after it (the first before any). */
export function phaseFor(iteration: number, phases: readonly Phase[]): PhaseInfo {
  if (phases.length === 0) {
    throw new UserError('expected at least one entry in phases, got none',
      'every iteration is steered by the strategy of its phase', 'remove `phases` from the config to use the default eight, or list at least one');
  }
  let index = -1;
  phases.forEach((p, i) => {
    if (p.from <= iteration && (index === -1 || p.from >= phases[index].from)) index = i;
  });
  if (index === -1) index = phases.reduce((first, p, i) => (p.from < phases[first].from ? i : first), 0);
  return { index, name: phases[index].name, strategy: phases[index].strategy };
}

/** Seed 002's plateau hint once `consecutiveDiscards` reaches the threshold; null before. */
export function plateauHint(consecutiveDiscards: number, threshold: number): string | null {
  if (consecutiveDiscards < threshold) return null;
  return `IMPORTANT: ${consecutiveDiscards} consecutive experiments have been discarded. ` +
    'Consider switching to a fundamentally different approach or combining near-misses.';
}
