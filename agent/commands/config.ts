// `autoresearch config [--print] [--config FILE] [--json]`: the fully resolved configuration with
// every default, each value marked with where it came from (default, file, env or flag).
import type { Command } from 'commander';
import { repoRoot } from './common.ts';

interface ConfigFlags { print?: boolean; config?: string; json?: boolean }

export function register(program: Command): void {
  program.command('config')
    .description('print the resolved configuration (defaults < autoresearch.yaml < environment < flags) and where each value came from')
    .option('--print', 'print it (the default action; kept for `config --print`)')
    .option('--config <file>', 'config file (default: autoresearch.yaml if present)')
    .option('--json', 'print {file, config, sources} as one JSON object')
    .action(async (flags: ConfigFlags) => {
      process.stdout.write(await renderConfig(repoRoot(), flags.config, process.env, Boolean(flags.json)));
    });
}

/** The text `autoresearch config` prints: commented YAML, or JSON with a sources map. */
export async function renderConfig(repo: string, file: string | undefined, env: NodeJS.ProcessEnv, json: boolean): Promise<string> {
  const path = await import('node:path');
  const YAML = (await import('yaml')).default;
  const { resolveWithSources } = await import('../results/config-sources.ts');
  const r = resolveWithSources({ cwd: repo, file: file ?? null, env });
  const shown = r.file ? path.relative(repo, r.file) || r.file : null;
  if (json) return JSON.stringify({ file: shown, config: r.config, sources: r.sources }) + '\n';
  const doc = new YAML.Document(r.config);
  for (const [key, source] of Object.entries(r.sources)) {
    const node = doc.getIn(key.split('.'), true) as { comment?: string | null; flow?: boolean; items?: unknown[] } | undefined;
    if (!node || typeof node !== 'object') continue;
    // a list of scalars on one line keeps its source comment on that line
    if (Array.isArray(node.items) && node.items.every((i) => YAML.isScalar(i))) node.flow = true;
    node.comment = ` ${source}`;
  }
  doc.commentBefore = [
    ' autoresearch: resolved configuration (defaults < autoresearch.yaml < environment < flags)',
    ` file: ${shown ?? `none (no ${'autoresearch.yaml'} here)`}`,
    ' each value is followed by its source: default, file, env or flag',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
