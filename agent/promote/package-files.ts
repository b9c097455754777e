// The generated package.json (the same tfjs, DuckDB and tsx versions as this project) and the
// README of a promoted predictor.
import fs from 'node:fs';
import path from 'node:path';
import type { PromoteManifest } from './runtime/manifest.ts';

/** Packages the promoted runtime and train module may import; tfjs-node is optional, as in the harness. */
export const RUNTIME_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'tsx'] as const;
const OPTIONAL = ['@tensorflow/tfjs-node'] as const;

/** The exact version installed in `repo`, else the version this project's package.json asks for. */
export function pinnedVersion(repo: string, name: string): string {
  const installed = path.join(repo, 'node_modules', name, 'package.json');
  if (fs.existsSync(installed)) return (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version: string }).version;
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const spec = pkg.dependencies?.[name] ?? pkg.optionalDependencies?.[name];
  if (!spec) throw new Error(`${name} is neither installed nor declared in ${repo}/package.json`);
  return spec.replace(/^[\^~]/, '');
}

/** package.json of the exported directory. */
export function packageJson(repo: string, m: PromoteManifest): string {
  const pin = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, pinnedVersion(repo, n)]));
  const pkg = {
    name: `promoted-${m.tag}-exp${m.iteration}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-'),
    version: '1.0.0',
    private: true,
    description: `Standalone Numerai predictor: experiment ${m.iteration} of autoresearch run ${m.tag} (payout ${m.payout.toFixed(5)}).`,
    type: 'module',
    engines: { node: '>=20.10' },
    scripts: { train: 'tsx runtime/cli.ts train', predict: 'tsx runtime/cli.ts predict' },
    dependencies: pin(RUNTIME_PACKAGES),
    optionalDependencies: pin(OPTIONAL),
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** README.md of the exported directory. */
export function readme(m: PromoteManifest, withContract: boolean, withNn = false): string {
  const what = m.baseline
    ? `the **baseline** of run \`${m.tag}\`: nothing was kept in that run, so this is the starting \`train/\``
    : `experiment **${m.iteration}** of run \`${m.tag}\`, the kept candidate with the highest payout`;
  return `# Promoted predictor: ${m.tag}, ${m.baseline ? 'baseline' : `experiment ${m.iteration}`}

This directory is ${what}, exported by \`autoresearch promote\`.
It imports nothing from the autoresearch repository.

| | |
|---|---|
| commit | \`${m.commit}\` |
| payout (CV mean over seeds) | ${m.payout.toFixed(5)} |
| seeds (the ensemble) | ${m.seeds.join(', ')} |
| feature set | ${m.feature_set} |
| targets | ${m.target_names.join(', ')} (main: ${m.main_target}) |
| benchmark column | ${m.benchmark ?? '(none)'} |
| held-out final eras | ${m.holdout_eras} |
| time budget per seed | ${m.time_budget_s} s |

## Use

\`\`\`sh
npm install                                   # the same tfjs, DuckDB and tsx versions the run used
npm run train -- --data /path/to/numerai/v5   # default: ${m.data_dir}
npm run predict -- live.parquet --out predictions.csv
\`\`\`

\`predictions.csv\` is Numerai's upload format: a header \`id,prediction\`, one row per live id in the
live file's order, predictions ranked into (0, 1) as (rank − 0.5) / n over the mean of the seeds.

## What "train" and "predict" do

The train contract of autoresearch has no way to save a fitted model: a train module receives training
rows and the rows to predict, and returns one prediction per row. So a model here is the recipe, not
weights:

- \`train\` reads the data directory the way the harness does (train.parquet plus the validation rows of
  validation.parquet, benchmarks joined by id, rows sorted by era then id), drops the last
  ${m.holdout_eras} eras (the run's locked holdout, so it stays unseen), and freezes the remaining rows into
  \`model/rows.bin\` with \`model/model.json\` naming the eras and seeds. Nothing is fitted yet.
- \`predict\` refits \`train/train.ts\` once per seed on the frozen rows, exactly as a harness job with that
  seed, predicts the live rows, averages the seeds and ranks. It needs no network and not the original
  data, but it costs one full fit per seed each time it runs.

On the same machine and backend the predictions are identical from run to run. The backend is chosen
like the harness: tfjs-node if installed, else wasm, else cpu (\`--backend\` forces one); a different
backend can change predictions slightly. A train module that stops epochs at its time budget trains
less on a slower machine.

## Files

- \`train/\` — the candidate's train module as it was at the commit
${withContract ? '- `harness/contract.ts` — the train contract it imports (types and `featuresToFloat32`), from the same commit\n' : ''}${withNn ? '- `harness/nn-tfjs.ts` — the tfjs engine of `job.nn` (the harness may have trained the same function with its fused native engine), from the same commit\n' : ''}- \`runtime/\` — parquet reading, the frozen rows, the tf backend, the ensemble and the CLI
- \`promote.json\` — provenance and the data recipe; \`model/\` — written by \`train\`
`;
}
