// Step 6 of an iteration: refresh the DO NOT RETRY table in program.md (human part untouched) and
// rewrite learnings.md — by the cheaper model for claude/openai, by the template for mutate or
// when the model's answer is unusable — then journal that it happened.
import fs from 'node:fs';
import path from 'node:path';
import { computeDoNotRetry, renderDnrTable, updateProgramMd } from '../knowledge/donotretry.ts';
import { learningsPrompt, templateLearnings, validateLearnings } from '../knowledge/learnings.ts';
import { journalCall } from './propose-step.ts';
import { refreshResults } from '../results/write-run.ts';
import type { RunContext } from './context.ts';

/** Rewrites program.md's generated section and learnings.md after `iteration`, then journals it. */
export async function learnStep(ctx: RunContext, iteration: number): Promise<void> {
  const events = ctx.journal.events();
  const programFile = path.join(ctx.repo, 'program.md');
  const program = fs.readFileSync(programFile, 'utf8');
  const updated = updateProgramMd(program, renderDnrTable(computeDoNotRetry(events, ctx.config.knowledge)));
  if (updated !== program) writeAtomic(programFile, updated);

  const learningsFile = path.join(ctx.repo, 'learnings.md');
  const current = fs.existsSync(learningsFile) ? fs.readFileSync(learningsFile, 'utf8') : '';
  const max = ctx.config.knowledge.learnings_max_chars;
  let text: string | null = null;
  let by = 'template';
  if (ctx.agent.name !== 'mutate') {
    const res = await ctx.agent.learn({
      iteration, prompt: learningsPrompt(events, current, iteration, ctx.config.knowledge), config: ctx.config,
      secrets: ctx.secrets, signal: ctx.signal, onCall: (c) => journalCall(ctx, iteration, c),
    });
    text = res ? validateLearnings(res.text, max) : null;
    if (text !== null) by = ctx.agent.name;
    else ctx.log(`exp ${iteration}: the model's learnings were unusable; wrote the template instead`);
  }
  text ??= templateLearnings(events, ctx.config.knowledge);
  writeAtomic(learningsFile, text.endsWith('\n') ? text : text + '\n');
  ctx.journal.append({ type: 'learnings', iteration, chars: text.length, by });
  await refreshResults(ctx);
}

/** Writes a file through a temp file and rename, so a crash never leaves half of it. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
