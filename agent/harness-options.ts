// Maps the resolved config onto the harness's plain options (the harness never sees Config).
import type { HarnessOptions } from '../harness/session.ts';
import type { Config } from './config.ts';

/** The harness options a config describes. */
export function harnessOptions(config: Config, repoDir: string, log: (line: string) => void): HarnessOptions {
  return {
    repoDir,
    data: {
      dir: config.data.dir, feature_set: config.data.feature_set, target: config.data.target,
      aux_targets: config.data.aux_targets, benchmark: config.data.benchmark, synthetic: config.data.synthetic,
    },
    cv: { ...config.cv },
    workers: config.eval.workers,
    timeoutMs: config.eval.job_timeout_s * 1000,
    memoryMb: config.eval.memory_mb,
    backend: config.eval.backend,
    weights: { corr: config.payout.corr, bmc: config.payout.bmc },
    log,
  };
}
