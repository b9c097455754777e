// The thin CLI: commander parses, each command module registers itself, errors are
// printed by audience (UserError → what/why/fix and exit 2; anything else → stack, exit 1).
import { Command, CommanderError } from 'commander';
import { USER_ERROR_EXIT, isUserError } from '../harness/errors.ts';

/** Command modules under agent/commands/, each exporting register(program). */
const COMMANDS = ['data', 'score', 'eval', 'noise', 'run', 'status', 'notebook', 'report', 'serve', 'config', 'inspect', 'compare', 'promote'];

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
  c.exitOverride((err) => {
    // commander prints the help of a group called without its subcommand and exits 1; say what was missing
    if (err.code === 'commander.help' && err.exitCode !== 0) process.stderr.write(missingCommand(c));
    throw err;
  });
  c.configureOutput({ outputError: (message, write) => write(usageError(message, c)) });
  for (const sub of c.commands) exitOverrideDeep(sub);
}

const commandPath = (c: Command): string => {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  return names.join(' ');
};

function missingCommand(c: Command): string {
  const cmd = commandPath(c);
  const subs = c.commands.map((s) => s.name()).filter((n) => n !== 'help');
  return `error: missing command\n  why: \`${cmd}\` needs one of: ${subs.join(', ')}\n  fix: run \`${cmd} --help\` to see every command\n`;
}

/** commander's one-line usage errors (unknown option, missing argument, bad value) in the what/why/fix form. */
export function usageError(message: string, c: Command): string {
  const cmd = commandPath(c);
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
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : USER_ERROR_EXIT;
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
