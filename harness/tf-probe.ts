// Prints, as one JSON line, the tf backend a trainer job would get; run in a child process so
// the orchestrator never loads tfjs (or train code) itself.
import { loadTf, type TfPreference } from './tf.ts';

const pref = (process.argv[2] ?? 'auto') as TfPreference;
try {
  const { backend, note } = await loadTf(pref);
  process.stdout.write(JSON.stringify({ backend, note: note ?? null }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ backend: null, note: (e as Error).message }) + '\n');
}
