// Era-purged cross-validation plans: which eras each fold trains and tests on, and the final
// holdout split. Pure functions over era numbers; the harness turns plans into row selections.
//
// Order of operations (numerai-scoring.md §6, adaptations 2–3 of seed 002):
//   1. holdout: the last H present eras are locked away; the search never trains or tests on them;
//   2. downsampling: every k-th remaining era is kept (offset 0, numeric order, counted over the eras
//      present, so a gap in the numbering does not shift the selection);
//   3. folds: contiguous blocks over the kept eras, fold = E // n, the last fold takes the remainder;
//   4. embargo: measured in real era numbers, because target windows overlap in data time whatever
//      was downsampled — expanding trains on kept eras < firstTest − embargo, blocked also on kept
//      eras > lastTest + embargo.
import { UserError } from './errors.ts';

export type CvMode = 'blocked' | 'expanding';

export interface CvConfig {
  folds: number;
  embargo: number;
  mode: CvMode;
  downsample: number;
  holdout: number;
}

export interface Fold {
  index: number;
  testEras: number[];
  trainEras: number[];
  /** No training eras survive the embargo (e.g. fold 0 in expanding mode); the harness reports it. */
  empty: boolean;
}

export interface CvPlan {
  /** Eras before the holdout, before downsampling. */
  searchEras: number[];
  holdoutEras: number[];
  /** Search eras removed by downsampling; never used for training or testing. */
  droppedByDownsample: number[];
  folds: Fold[];
}

export const CV_MODES: readonly CvMode[] = ['blocked', 'expanding'];

/** Throws a UserError naming the first bad CV option; `eraCount` is the number of labelled eras. */
export function validateCvConfig(cfg: CvConfig, eraCount: number): void {
  const { folds, embargo, mode, downsample, holdout } = cfg;
  if (!Number.isInteger(folds) || folds < 2) {
    throw new UserError(
      `expected --folds to be an integer ≥ 2, got ${folds}`,
      'each fold is tested on a model trained on other eras, so at least two folds are needed',
      'pass --folds 2 or more (the default is 5)',
    );
  }
  if (!Number.isInteger(embargo) || embargo < 0) {
    throw new UserError(
      `expected --embargo to be an integer ≥ 0, got ${embargo}`,
      'the embargo is a count of eras dropped between training and test eras',
      'pass --embargo 0 or more; about 4 suits 20-day targets and 13 suits 60-day targets on weekly eras',
    );
  }
  if (!CV_MODES.includes(mode)) {
    throw new UserError(
      `expected --cv-mode to be blocked or expanding, got ${String(mode)}`,
      'only contiguous-block CV with past-only (expanding) or two-sided (blocked) training is supported',
      'pass --cv-mode expanding or --cv-mode blocked',
    );
  }
  if (!Number.isInteger(downsample) || downsample < 1) {
    throw new UserError(
      `expected --downsample to be an integer ≥ 1, got ${downsample}`,
      'downsampling keeps every k-th era, and k = 1 keeps them all',
      'pass --downsample 1 to keep every era, or e.g. 4 to keep every 4th',
    );
  }
  if (!Number.isInteger(holdout) || holdout < 0) {
    throw new UserError(
      `expected --holdout to be an integer ≥ 0, got ${holdout}`,
      'the holdout is a count of final eras locked away from the search',
      'pass --holdout 0 for no holdout, or the number of final eras to lock away',
    );
  }
  if (holdout >= eraCount) {
    throw new UserError(
      `expected --holdout to be less than the number of labelled eras (${eraCount}), got ${holdout}`,
      'the search needs eras that are not locked away in the holdout',
      `pass --holdout ${Math.max(0, eraCount - 2 * folds)} or less, or use a dataset with more eras`,
    );
  }
  const search = eraCount - holdout;
  const kept = Math.ceil(search / downsample);
  if (kept < folds) {
    throw new UserError(
      `expected at least ${folds} search eras for --folds ${folds}, got ${kept}`,
      `${eraCount} labelled eras minus --holdout ${holdout} leave ${search} search eras, ` +
        `and --downsample ${downsample} keeps ${kept} of them; every fold needs at least one test era`,
      'lower --folds, --holdout or --downsample',
    );
  }
}

/** Plans the era-purged CV folds over the search eras; `eraNumbers` are the labelled eras, ascending. */
export function planCv(eraNumbers: number[], cfg: CvConfig): CvPlan {
  assertEraNumbers(eraNumbers);
  validateCvConfig(cfg, eraNumbers.length);
  const { searchEras, holdoutEras } = splitHoldout(eraNumbers, cfg.holdout);
  const kept = downsampleEras(searchEras, cfg.downsample);
  const keptSet = new Set(kept);
  const droppedByDownsample = searchEras.filter((e) => !keptSet.has(e));

  const size = Math.floor(kept.length / cfg.folds);
  const folds: Fold[] = [];
  for (let i = 0; i < cfg.folds; i++) {
    const end = i === cfg.folds - 1 ? kept.length : (i + 1) * size;
    const testEras = kept.slice(i * size, end);
    const trainEras = trainErasFor(kept, testEras[0], testEras[testEras.length - 1], cfg);
    folds.push({ index: i, testEras, trainEras, empty: trainEras.length === 0 });
  }
  if (folds.every((f) => f.empty)) {
    throw new UserError(
      `no CV fold has training eras with --embargo ${cfg.embargo} in ${cfg.mode} mode`,
      `the embargo removes every kept era around each test block (${kept.length} kept search eras, ` +
        `${kept[0]}–${kept[kept.length - 1]})`,
      'lower --embargo or --folds, use --cv-mode blocked, or use more eras',
    );
  }
  return { searchEras, holdoutEras, droppedByDownsample, folds };
}

/**
 * The final holdout split: train on the kept search eras (the same downsampling as the search, so the
 * holdout scores the very recipe the search selected, at the same cost) with number < firstHoldout −
 * embargo; test on every holdout era (not downsampled: scoring is cheap and more eras mean less noise).
 */
export function planHoldout(eraNumbers: number[], cfg: CvConfig): { trainEras: number[]; testEras: number[] } {
  assertEraNumbers(eraNumbers);
  validateCvConfig(cfg, eraNumbers.length);
  if (cfg.holdout === 0) {
    throw new UserError(
      'expected --holdout to be at least 1 to score the holdout, got 0',
      'with --holdout 0 no eras were locked away, so there is nothing unseen to score',
      'start the run with --holdout set to the number of final eras to lock away (e.g. 50)',
    );
  }
  const { searchEras, holdoutEras } = splitHoldout(eraNumbers, cfg.holdout);
  const cutoff = holdoutEras[0] - cfg.embargo;
  const trainEras = downsampleEras(searchEras, cfg.downsample).filter((e) => e < cutoff);
  if (trainEras.length === 0) {
    throw new UserError(
      `no training eras for the holdout with --embargo ${cfg.embargo}`,
      `the holdout starts at era ${holdoutEras[0]} and no kept search era is numbered below ${cutoff}`,
      'lower --embargo or --holdout, or use more eras',
    );
  }
  return { trainEras, testEras: holdoutEras };
}

function splitHoldout(eras: number[], holdout: number): { searchEras: number[]; holdoutEras: number[] } {
  const cut = eras.length - holdout;
  return { searchEras: eras.slice(0, cut), holdoutEras: eras.slice(cut) };
}

function downsampleEras(eras: number[], k: number): number[] {
  return eras.filter((_, i) => i % k === 0);
}

function trainErasFor(kept: number[], firstTest: number, lastTest: number, cfg: CvConfig): number[] {
  const before = firstTest - cfg.embargo;
  const after = lastTest + cfg.embargo;
  return kept.filter((e) => e < before || (cfg.mode === 'blocked' && e > after));
}

// A caller bug, not a user mistake: the data layer hands over distinct sorted integer eras.
function assertEraNumbers(eras: number[]): void {
  for (let i = 0; i < eras.length; i++) {
    if (!Number.isInteger(eras[i]) || (i > 0 && eras[i] <= eras[i - 1])) {
      throw new Error(`era numbers must be strictly ascending integers; got ${eras[i - 1]} then ${eras[i]} at index ${i}`);
    }
  }
}
