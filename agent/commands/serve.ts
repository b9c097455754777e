// `autoresearch serve`: the report as a live page on 127.0.0.1, rebuilt from the journal while a
// run writes it; Ctrl-C or SIGTERM stops it.
import { InvalidArgumentError, type Command } from 'commander';
import { pickTag } from './status.ts';
import { repoRoot } from './common.ts';

export interface ServeFlags { tag?: string; port: number }

export const DEFAULT_PORT = 8750;

/** Registers `serve` on the CLI. */
export function register(program: Command): void {
  program.command('serve')
    .description('serve a run\'s report on 127.0.0.1, refreshed while the run is live')
    .option('--tag <name>', 'the run (default: the only run, or the most recent one)')
    .option('--port <n>', `the port (0 = any free port; default ${DEFAULT_PORT})`, portNumber, DEFAULT_PORT)
    .action(async (flags: ServeFlags) => {
      await serveCommand(repoRoot(), flags, (line) => process.stdout.write(`${line}\n`));
    });
}

/** commander parser: a TCP port, 0 to 65535. */
export function portNumber(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError(`expected a port number from 0 to 65535 for --port, got ${v}`);
  return Number(v);
}

/** Serves until SIGINT or SIGTERM; bad input throws before anything listens. */
export async function serveCommand(repo: string, flags: ServeFlags, print: (line: string) => void): Promise<void> {
  const tag = pickTag(repo, flags.tag);
  const { startReportServer } = await import('../report/server.ts');
  const server = await startReportServer({ repo, tag, port: flags.port });
  print(`serving run ${tag} at ${server.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  print('stopped');
}
