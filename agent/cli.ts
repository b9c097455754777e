// The thin CLI: commander parses, each command module registers itself, errors are
// printed by audience (UserError → what/why/fix and exit 2; anything else → stack, exit 1).
import { Command, CommanderError } from 'commander';
import { USER_ERROR_EXIT, isUserError } from '../harness/errors.ts';

/** Command modules under agent/commands/, each exporting register(program). */
const COMMANDS = ['data', 'score', 'eval', 'noise', 'run', 'status', 'notebook'];

export async function buildProgram(): Promise<Command> {
  const program = new Command('autoresearch')
    .description('Unattended ML research on Numerai data: an agent edits train/, a fixed harness scores it.')
    .exitOverride();
  for (const name of COMMANDS) {
    const mod = (await import(`./commands/${name}.ts`)) as { register(p: Command): void };
    mod.register(program);
  }
  exitOverrideDeep(program);
  return program;
}

function exitOverrideDeep(c: Command): void {
  c.exitOverride();
  c.configureOutput({ outputError: (message, write) => write(usageError(message, c)) });
  for (const sub of c.commands) exitOverrideDeep(sub);
}

/** commander's one-line usage errors (unknown option, missing argument, bad value) in the what/why/fix form. */
export function usageError(message: string, c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  const cmd = names.join(' ');
  const what = message.trim().replace(/^error:\s*/, '');
  return `error: ${what}\n  why: the command line does not match what \`${cmd}\` accepts\n  fix: run \`${cmd} --help\` to see every option\n`;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram();
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    // commander has already printed its message (unknown option, missing argument, ...)
    return USER_ERROR_EXIT;
  }
  if (isUserError(e)) {
    process.stderr.write(e.format() + '\n');
    return USER_ERROR_EXIT;
  }
  const err = e as Error;
  process.stderr.write(`internal error: ${err?.stack ?? String(e)}\n`);
  return 1;
}
