// A throwaway repository for agent tests: train/train.ts (a small sample in the tunable forms),
// copies of harness/contract.ts and tsconfig.json, and node_modules linked so train/ type-checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigSchema, type Config } from '../../../agent/config-schema.ts';
import type { ProposeContext } from '../../../agent/agents/types.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const SAMPLE_TRAIN = `// Sample train module for agent tests.
import type { TrainJob } from '../harness/contract.ts';
import { featuresToFloat32 } from '../harness/contract.ts';

const HIDDEN = [64, 32];
const ACTIVATION: 'gelu' | 'relu' | 'tanh' = 'gelu';
const DROPOUT = 0.2;
const BATCH_NORM: boolean = false;
const LEARNING_RATE = 0.001;
const WEIGHT_DECAY = 0.00012;
const BATCH_SIZE = 1024;
const EPOCHS = 20;
const LOSS: 'mse' | 'pearson' = 'pearson';
const FEATURE_FRACTION = 1.0;

/** The mean feature value per row, scaled so every tunable is read. */
export default async function train(job: TrainJob): Promise<Float32Array> {
  const { nRows, x } = job.predict;
  const f = x.nFeatures;
  const values = featuresToFloat32(x);
  const act = ACTIVATION === 'gelu' ? 1 : ACTIVATION === 'relu' ? 2 : 3;
  const scale = act * (LOSS === 'pearson' ? 1 : 0.5) * (BATCH_NORM ? 2 : 1) * (1 - DROPOUT) * HIDDEN.length
    * LEARNING_RATE * (1 + WEIGHT_DECAY) * EPOCHS * BATCH_SIZE * FEATURE_FRACTION;
  const out = new Float32Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let s = 0;
    for (let c = 0; c < f; c++) s += values[r * f + c];
    out[r] = (s / f) * scale;
  }
  return out;
}
`;

/** Creates the temp repository and returns its path. */
export function makeRepo(trainSource = SAMPLE_TRAIN): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-'));
  fs.mkdirSync(path.join(dir, 'train'));
  fs.mkdirSync(path.join(dir, 'harness'));
  fs.writeFileSync(path.join(dir, 'train', 'train.ts'), trainSource);
  fs.copyFileSync(path.join(repoRoot, 'harness', 'contract.ts'), path.join(dir, 'harness', 'contract.ts'));
  fs.copyFileSync(path.join(repoRoot, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.writeFileSync(path.join(dir, 'harness', 'x.ts'), 'export const X = 1;\n');
  fs.writeFileSync(path.join(dir, 'program.md'), '# brief\n');
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The default configuration with overrides per section. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse(overrides);
}

/** A ProposeContext for iteration 1 with a fixed prompt and no history. */
export function proposeContext(repoDir: string, config: Config, extra: Partial<ProposeContext> = {}): ProposeContext {
  return {
    iteration: 1, repoDir, config, secrets: { anthropicApiKey: 'test-key' },
    prompt: { fixed: 'FIXED: research brief and harness contract', learnings: 'LEARNINGS: dropout 0.2 is fine', dynamic: 'DYNAMIC: current train/ source and recent results' },
    events: [], doNotRetry: [], nearMisses: [], ...extra,
  };
}
