// The nn kit handed to train modules as `job.nn`: fused dense nets whose whole training step is
// one native call (harness/nn-fused.ts, OpenBLAS) when the addon is built, else the tfjs engine
// (harness/nn-tfjs.ts) on the job's backend. Both train the same function from the same streams.
import type { NnKit, Tf } from './contract.ts';
import { createNativeMlp, nativeMlpAvailable } from './nn-fused.ts';
import { createTfjsMlp } from './nn-tfjs.ts';

/**
 * The kit for a job: native when `allowNative` and the addon has the fused MLP, else tfjs on the tf that
 * `tfjs()` gives (called only when the tfjs engine is used, so a job can load tfjs lazily).
 * `tell` gets one line naming the engine (and why not native), and the engine, when the first net is made.
 */
export function createNnKit(
  tfjs: () => { tf: Tf; backend: string },
  allowNative: boolean,
  tell: (line: string, engine: NnKit['engine']) => void = () => {},
): NnKit {
  const why = allowNative ? nativeMlpAvailable() : `the ${tfjs().backend} backend was asked for`;
  const engine = why === null ? 'native' : 'tfjs';
  let told = false;
  return {
    engine,
    mlp(spec) {
      if (!told) tell(engine === 'native' ? 'nn: fused native MLP (OpenBLAS)' : `nn: tfjs engine on ${tfjs().backend} (${why})`, engine);
      told = true;
      return engine === 'native' ? createNativeMlp(spec) : createTfjsMlp(tfjs().tf, spec);
    },
  };
}
