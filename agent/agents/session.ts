// One proposal as a tool-use conversation, independent of the API behind it: run the editor calls,
// nudge a model that answers in prose, type-check on finish_experiment and send the errors back
// for at most max_repair_rounds rounds. The claude and openai agents only supply a Conversation.
import { isUserError } from '../../harness/errors.ts';
import { TrainEditor } from './editor.ts';
import { EDITOR_TOOL, FINISH_TOOL, NUDGE, parseFinish, type FinishArgs } from './protocol.ts';
import { typecheckTrain, type TypecheckResult } from './typecheck.ts';
import type { LlmCall, Proposal } from './types.ts';

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
  /** set when the model's arguments were not valid JSON */
  parseError?: string;
}

export interface ToolResult { id: string; content: string; isError: boolean }

/** A model conversation; the transport keeps the message history and journals each call. */
export interface Conversation {
  /** Sends the previous turn's tool results (and an optional user nudge); returns the model's tool calls. */
  next(reply: { results: ToolResult[]; nudge?: string }, purpose: 'propose' | 'repair'): Promise<ToolCall[]>;
}

export interface SessionOptions {
  repoDir: string;
  maxTurns: number;
  maxRepairRounds: number;
  conversation: Conversation;
  signal?: AbortSignal;
  typecheck?(repoDir: string): TypecheckResult;
}

const MAX_DIAGNOSTICS = 20;

/** Drives a conversation to a Proposal (calls are filled in by the caller). */
export async function runSession(opts: SessionOptions): Promise<Omit<Proposal, 'calls'>> {
  const editor = new TrainEditor(opts.repoDir);
  const typecheck = opts.typecheck ?? typecheckTrain;
  let reply: { results: ToolResult[]; nudge?: string } = { results: [] };
  let purpose: 'propose' | 'repair' = 'propose';
  let repairs = 0;
  let last: FinishArgs | null = null;
  for (let turn = 0; turn < opts.maxTurns; turn++) {
    let calls: ToolCall[];
    try {
      calls = await opts.conversation.next(reply, purpose);
    } catch (e) {
      if (isUserError(e)) throw e;
      if (opts.signal?.aborted) throw opts.signal.reason;
      return failed(last, `the model API gave up: ${(e as Error).message}`);
    }
    if (calls.length === 0) { reply = { results: [], nudge: NUDGE }; continue; }
    const results: ToolResult[] = calls.map((c) => {
      if (c.parseError) return { id: c.id, content: `error: arguments are not valid JSON: ${c.parseError}`, isError: true };
      if (c.name === EDITOR_TOOL) return { id: c.id, ...editor.run(c.input) };
      if (c.name === FINISH_TOOL) return { id: c.id, content: '', isError: false };
      return { id: c.id, content: `error: unknown tool "${c.name}"; use ${EDITOR_TOOL} or ${FINISH_TOOL}`, isError: true };
    });
    const finishes = calls.filter((c) => c.name === FINISH_TOOL && !c.parseError);
    const finish = finishes.at(-1);
    for (const f of finishes.slice(0, -1)) setResult(results, f.id, `error: ${FINISH_TOOL} was called more than once in one turn; only the last call counts`, true);
    if (finish) {
      const args = parseFinish(finish.input);
      if ('error' in args) {
        setResult(results, finish.id, `error: ${args.error}`, true);
      } else {
        last = args;
        if (!editor.edited) return { outcome: 'no-edit', ...fields(args) };
        const check = typecheck(opts.repoDir);
        if (check.ok) return { outcome: 'edited', ...fields(args) };
        const text = diagnosticsText(check.diagnostics);
        if (repairs >= opts.maxRepairRounds) {
          return failed(last, `train/ still fails the type-check after ${repairs} repair round(s):\n${text}`);
        }
        repairs++;
        purpose = 'repair';
        setResult(results, finish.id, `train/ does not type-check (${check.diagnostics.length} error(s)); fix them, then call ${FINISH_TOOL} again:\n${text}`, true);
      }
    }
    reply = { results };
  }
  return failed(last, `the model did not finish within max_tool_turns (${opts.maxTurns}) turns`);
}

/** Adds calls to a session result. */
export function withCalls(p: Omit<Proposal, 'calls'>, calls: LlmCall[]): Proposal {
  return { ...p, calls };
}

function fields(a: FinishArgs): Omit<Proposal, 'calls' | 'outcome'> {
  return { hypothesis: a.hypothesis, category: a.category, subcategory: a.subcategory, expected: a.expected };
}

function failed(last: FinishArgs | null, error: string): Omit<Proposal, 'calls'> {
  const base = last ? fields(last) : { hypothesis: '', category: 'other' as const, subcategory: '', expected: '' };
  return { outcome: 'failed', ...base, error };
}

function setResult(results: ToolResult[], id: string, content: string, isError: boolean): void {
  const r = results.find((x) => x.id === id);
  if (r) { r.content = content; r.isError = isError; }
}

function diagnosticsText(diags: string[]): string {
  const shown = diags.slice(0, MAX_DIAGNOSTICS).join('\n');
  return diags.length > MAX_DIAGNOSTICS ? `${shown}\n… and ${diags.length - MAX_DIAGNOSTICS} more` : shown;
}
