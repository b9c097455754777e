// Hostile: fills 32 MB typed arrays (off the V8 heap, so --max-old-space-size does not stop it)
// up to 3 GB, then waits; only the parent's resident-memory watchdog can stop it.
const CHUNK = 4 * 2 ** 20;
const MAX_CHUNKS = 96;

export default async function train(): Promise<number[]> {
  const hoard: Float64Array[] = [];
  for (let i = 0; i < MAX_CHUNKS; i++) hoard.push(new Float64Array(CHUNK).fill(i + 1));
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  return [hoard.length];
}
