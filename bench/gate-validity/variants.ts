// The candidate train modules of the gate-validity bench, written from the current train/train.ts:
// cheap tunables (few epochs) for every arm; the weak arm drops a share of the features, the strong
// arm (the planted improvement) restores them. Every evaluated variant mixes its own salt into the
// job seed. That is the null edit: a no-op for the model's function in expectation, but a new
// random stream — a pure rename would give bit-identical predictions and could never be kept.
import { createHash } from 'node:crypto';

export type Arm = 'weak' | 'strong';

export interface VariantSpec {
  arm: Arm;
  /** mixed into the job seed with XOR; 0 leaves the random stream of the original */
  salt: number;
  epochs: number;
  batchSize: number;
  /** FEATURE_FRACTION of the weak arm; the strong arm uses 1 */
  weakFraction: number;
}

export const SALT_CONST = 'SEED_SALT';

/** train.ts for one variant; throws when the base module no longer has a tunable the bench edits. */
export function variantSource(base: string, v: VariantSpec): string {
  if (!Number.isInteger(v.salt) || v.salt < 0 || v.salt > 0x7fffffff) throw new RangeError(`salt must be an integer in [0, 2^31), got ${v.salt}`);
  let src = setTunable(base, 'EPOCHS', String(v.epochs));
  src = setTunable(src, 'BATCH_SIZE', String(v.batchSize));
  src = setTunable(src, 'FEATURE_FRACTION', v.arm === 'strong' ? '1.0' : String(v.weakFraction));
  return addSalt(fixColumns(src), v.salt);
}

/** Bumped whenever variantSource changes what it writes, so cached evaluations of older variants are not reused. */
export const VARIANT_VERSION = 2;

// The weak arm drops the same features for every seed and salt, as a module that leaves particular
// features out would; then the planted edit restores those features and its gain is a fixed effect,
// not a different random subset per seed (whose spread swamped the gain in the first measurement).
const COLUMN_RNG = 'pickColumns(rows.x.nFeatures, mulberry32(hash(job.seed, 0x5eed)))';
function fixColumns(src: string): string {
  if (!src.includes(COLUMN_RNG)) throw new Error(`gate-validity: train/train.ts no longer picks its columns with \`${COLUMN_RNG}\``);
  return src.replace(COLUMN_RNG, COLUMN_RNG.replace('job.seed', '0'));
}

/** Hex digest of a module source (cache key of its evaluations). */
export function sourceHash(src: string): string {
  return createHash('sha256').update(src).digest('hex').slice(0, 16);
}

/** The salt of evaluation `index` of an arm: distinct across arms, indices and bench seeds, never 0. */
export function saltFor(arm: Arm, index: number, benchSeed: number): number {
  const h = createHash('sha256').update(`${arm}:${index}:${benchSeed}`).digest();
  return (h.readUInt32BE(0) & 0x7fffffff) || 1;
}

function setTunable(src: string, name: string, value: string): string {
  const re = new RegExp(`^(const ${name}(?:\\s*:[^=]+)?\\s*=\\s*)([^;]+);`, 'm');
  if (!re.test(src)) throw new Error(`gate-validity: train/train.ts has no tunable \`const ${name} = ...;\` to set`);
  return src.replace(re, `$1${value};`);
}

// Every use of the job seed goes through the salt, so the whole random stream (column choice,
// initial weights, shuffles, dropout) moves with it.
function addSalt(src: string, salt: number): string {
  const uses = src.split('job.seed').length - 1;
  if (uses === 0) throw new Error('gate-validity: train/train.ts never reads job.seed, so a salt cannot change its random stream');
  const anchor = /^const ENSEMBLE_SEEDS = [^;]+;\n/m;
  if (!anchor.test(src)) throw new Error('gate-validity: train/train.ts has no `const ENSEMBLE_SEEDS = ...;` line to put the salt after');
  return src
    .replace(anchor, (line) => `${line}const ${SALT_CONST} = ${salt};\n`)
    .replaceAll('job.seed', `(job.seed ^ ${SALT_CONST})`);
}
