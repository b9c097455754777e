// The tool protocol both LLM agents speak: the editor tool, the finish_experiment tool that ends a
// proposal, and the short rules appended to the prompt so a model knows how to use them.
import { CATEGORIES, type Category } from '../events.ts';

export const EDITOR_TOOL = 'str_replace_based_edit_tool';
export const FINISH_TOOL = 'finish_experiment';

export const FINISH_DESCRIPTION =
  'Call exactly once, after your edits to train/ are complete, to submit the experiment for evaluation. ' +
  'The harness then type-checks train/; if that fails you get the errors back and must fix them and call this again.';

/** JSON schema of finish_experiment's arguments (Anthropic input_schema and OpenAI function parameters). */
export const FINISH_SCHEMA = {
  type: 'object',
  properties: {
    hypothesis: { type: 'string', description: 'one sentence: what you changed and why it should raise the payout' },
    category: { type: 'string', enum: [...CATEGORIES], description: 'the research category of the change' },
    subcategory: { type: 'string', description: 'a short, stable name for the specific axis, e.g. "dropout rate" or "activation"' },
    expected_effect: { type: 'string', description: 'what you expect to happen to CORR, BMC and payout' },
  },
  required: ['hypothesis', 'category', 'subcategory', 'expected_effect'],
  additionalProperties: false,
} as const;

/** JSON schema of the editor tool for OpenAI-compatible function calling (Anthropic defines its own). */
export const EDITOR_SCHEMA = {
  type: 'object',
  properties: {
    command: { type: 'string', enum: ['view', 'create', 'str_replace', 'insert'] },
    path: { type: 'string', description: 'path relative to the repository root, under train/, e.g. train/train.ts' },
    view_range: { type: 'array', items: { type: 'integer' }, description: 'view: [first line, last line], -1 for the end' },
    file_text: { type: 'string', description: 'create: the whole content of the new file' },
    old_str: { type: 'string', description: 'str_replace: exact text to replace; must match exactly once' },
    new_str: { type: 'string', description: 'str_replace: the replacement text' },
    insert_line: { type: 'integer', description: 'insert: the line after which to insert (0 = top of file)' },
    insert_text: { type: 'string', description: 'insert: the text to insert' },
  },
  required: ['command', 'path'],
  additionalProperties: false,
} as const;

export const EDITOR_DESCRIPTION =
  'View and edit files under train/. Commands: view (a file with line numbers, or a directory), create, ' +
  'str_replace (old_str must match exactly once), insert (after insert_line). Paths outside train/ are refused.';

export const RULES = `## How to work
- Edit files with the ${EDITOR_TOOL} tool. Paths are relative to the repository root; only files under train/ may be viewed or changed (the entry point is train/train.ts).
- Make one coherent experiment, then call ${FINISH_TOOL} exactly once with your hypothesis, category (${CATEGORIES.join(', ')}), subcategory and expected effect.
- After ${FINISH_TOOL}, train/ is type-checked; errors come back as its result and you must fix them and call it again.
- If you decide to change nothing, call ${FINISH_TOOL} without editing and explain why in the hypothesis.`;

export const NUDGE = `Continue the experiment with the ${EDITOR_TOOL} tool, then call ${FINISH_TOOL}. Plain text replies are not read.`;

export interface FinishArgs { hypothesis: string; category: Category; subcategory: string; expected: string }

/** Validates finish_experiment arguments; returns the error text to send back to the model otherwise. */
export function parseFinish(input: unknown): FinishArgs | { error: string } {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const missing = FINISH_SCHEMA.required.filter((k) => typeof o[k] !== 'string' || (k === 'hypothesis' && !(o[k] as string).trim()));
  if (missing.length) return { error: `${FINISH_TOOL} needs string fields ${missing.join(', ')}` };
  if (!(CATEGORIES as readonly string[]).includes(o.category as string)) {
    return { error: `category must be one of ${CATEGORIES.join(', ')}; got ${JSON.stringify(o.category)}` };
  }
  return {
    hypothesis: (o.hypothesis as string).trim(), category: o.category as Category,
    subcategory: (o.subcategory as string).trim(), expected: (o.expected_effect as string).trim(),
  };
}
