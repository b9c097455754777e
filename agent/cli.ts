// The thin CLI: commander parses, each command module registers itself, errors are
// printed by audience (UserError → what/why/fix and exit 2; anything else → stack, exit 1).
import { Command, CommanderError } from 'commander';
import { USER_ERROR_EXIT, isUserError } from '../harness/errors.ts';

/** Command modules under agent/commands/, each exporting register(program). */
const COMMANDS = ['data', 'score', 'eval', 'noise', 'run', 'status', 'notebook'];

export async function buildProgram(): Promise<Command> {
  const program = new Command('autoresearch')
    .description('Unattended ML research on Numerai data: an agent edits train/, a fixed harness scores it.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const name of COMMANDS) {
    const mod = (await import(`./commands/${name}.ts`)) as { register(p: Command): void };
    mod.register(program);
  }
  for (const c of program.commands) exitOverrideDeep(c);
  return program;
}

function exitOverrideDeep(c: Command): void {
  c.exitOverride();
  for (const sub of c.commands) exitOverrideDeep(sub);
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
