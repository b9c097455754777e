// One small seeded PRNG for the orchestrator and benches (train/ keeps its own copy: it must stay
// self-contained). mulberry32: 32-bit state, uniform on [0, 1), the same stream for the same seed.

/** A seeded generator of uniform numbers on [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
