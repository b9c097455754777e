// The Claude agent: Anthropic Messages API with the text editor tool (text_editor_20250728) confined to
// train/ and a finish_experiment tool. The SDK never retries on its own (maxRetries: 0); retry.ts does.
// Caching: breakpoints on the fixed prefix, on learnings.md and on the newest user turn.
import Anthropic, { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageParam, TextBlockParam, Tool, ToolTextEditor20250728, Usage } from '@anthropic-ai/sdk/resources/messages/messages';
import { UserError } from '../../harness/errors.ts';
import type { Config, Secrets } from '../config.ts';
import { makeCoster } from './pricing.ts';
import { EDITOR_TOOL, FINISH_DESCRIPTION, FINISH_SCHEMA, FINISH_TOOL, RULES } from './protocol.ts';
import { isBodyTerminated, withDeadline, withRetry, type ApiFailure } from './retry.ts';
import { runSession, withCalls, type Conversation, type ToolCall } from './session.ts';
import { ZERO_TOKENS, type Agent, type AgentDeps, type LlmCall, type Tokens } from './types.ts';

const EPHEMERAL = { type: 'ephemeral' } as const;
const TOOLS: [ToolTextEditor20250728, Tool] = [
  { type: 'text_editor_20250728', name: EDITOR_TOOL },
  { name: FINISH_TOOL, description: FINISH_DESCRIPTION, input_schema: FINISH_SCHEMA as unknown as Tool['input_schema'] },
];

/** Creates the Claude agent; throws a UserError when no ANTHROPIC_API_KEY is set. */
export function createClaudeAgent(config: Config, secrets: Secrets, deps: AgentDeps = {}): Agent {
  if (!secrets.anthropicApiKey) {
    throw new UserError('the claude agent needs an Anthropic API key', 'ANTHROPIC_API_KEY is not set',
      'export ANTHROPIC_API_KEY=… (or run with --agent mutate, which needs no key)');
  }
  const client = new Anthropic({
    apiKey: secrets.anthropicApiKey, baseURL: secrets.anthropicBaseUrl ?? 'https://api.anthropic.com',
    maxRetries: 0, timeout: config.agent.request_timeout_s * 1000,
  });
  const cost = makeCoster(config.prices, deps.warn ?? ((l) => process.stderr.write(`${l}\n`)));
  // the SDK's timeout stops at the response headers; this bounds the whole call, body included
  const deadlineMs = config.agent.request_timeout_s * 1000;

  /** One Messages API request under the retry policy; every attempt is reported. */
  async function send(
    params: { model: string; system?: TextBlockParam[]; messages: MessageParam[]; tools?: typeof TOOLS },
    purpose: LlmCall['purpose'], calls: LlmCall[], onCall: ((c: LlmCall) => void) | undefined, signal: AbortSignal | undefined,
  ): Promise<Anthropic.Message> {
    const report = (c: LlmCall) => { calls.push(c); onCall?.(c); };
    return withRetry(async () => {
      try {
        const msg = await withDeadline(deadlineMs, signal,
          (s) => client.messages.create({ ...params, max_tokens: config.agent.max_tokens }, { signal: s }));
        const tokens = toTokens(msg.usage);
        report({ purpose, model: params.model, tokens, costUsd: cost(params.model, tokens), ok: true });
        return msg;
      } catch (e) {
        report({ purpose, model: params.model, tokens: { ...ZERO_TOKENS }, costUsd: 0, ok: false, error: errorText(e) });
        throw userErrorFor(e, params.model) ?? e;
      }
    }, { retries: config.agent.max_retries, signal, describe, sleep: deps.sleep }).catch((e: unknown) => {
      throw e instanceof UserError || signal?.aborted ? e : new Error(errorText(e), { cause: e });
    });
  }

  return {
    name: 'claude',
    async propose(ctx) {
      const calls: LlmCall[] = [];
      const model = ctx.config.agent.model;
      const system: TextBlockParam[] = [
        { type: 'text' as const, text: nonEmpty(ctx.prompt.fixed, '(no research brief)'), cache_control: EPHEMERAL },
        { type: 'text' as const, text: nonEmpty(ctx.prompt.learnings, '(no learnings yet)'), cache_control: EPHEMERAL },
      ];
      const messages: MessageParam[] = [{ role: 'user', content: [
        { type: 'text', text: nonEmpty(ctx.prompt.dynamic, '(no state yet)') }, { type: 'text', text: RULES },
      ] }];
      const conversation: Conversation = {
        async next(reply, purpose): Promise<ToolCall[]> {
          if (reply.results.length || reply.nudge) {
            const content: ContentBlockParam[] = reply.results.map((r) => ({
              type: 'tool_result' as const, tool_use_id: r.id, content: r.content, ...(r.isError ? { is_error: true } : {}),
            }));
            if (reply.nudge) content.push({ type: 'text', text: reply.nudge });
            messages.push({ role: 'user', content });
          }
          const msg = await send({ model, system, messages: withTailBreakpoint(messages), tools: TOOLS }, purpose, calls, ctx.onCall, ctx.signal);
          // The API rejects an empty assistant turn in the history, so an empty reply is kept as a placeholder.
          messages.push({ role: 'assistant', content: msg.content.length ? (msg.content as ContentBlockParam[]) : [{ type: 'text', text: '(empty reply)' }] });
          return msg.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : []));
        },
      };
      const result = await runSession({
        repoDir: ctx.repoDir, conversation, signal: ctx.signal,
        maxTurns: ctx.config.agent.max_tool_turns, maxRepairRounds: ctx.config.agent.max_repair_rounds,
      });
      return withCalls(result, calls);
    },
    async learn(ctx) {
      const calls: LlmCall[] = [];
      try {
        const msg = await send({ model: ctx.config.agent.learn_model, messages: [{ role: 'user', content: ctx.prompt }] },
          'learn', calls, ctx.onCall, ctx.signal);
        const text = msg.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n').trim();
        return text ? { text, calls } : null;
      } catch (e) {
        if (e instanceof UserError) throw e;
        if (ctx.signal?.aborted) throw ctx.signal.reason;
        return null;
      }
    },
  };
}

/** Maps SDK errors onto the retry policy's vocabulary. */
function describe(e: unknown): ApiFailure {
  const message = errorText(e);
  if (e instanceof APIUserAbortError) return { kind: 'abort', status: null, headers: null, message };
  if (e instanceof APIConnectionError || isBodyTerminated(e)) return { kind: 'connection', status: null, headers: null, message };
  if (e instanceof APIError) return { kind: 'http', status: e.status ?? null, headers: e.headers ?? null, message };
  return { kind: 'other', status: null, headers: null, message };
}

function userErrorFor(e: unknown, model: string): UserError | null {
  if (!(e instanceof APIError) || e.status === undefined) return null;
  const detail = errorText(e);
  if (e.status === 401) return new UserError('ANTHROPIC_API_KEY was rejected', `the API answered 401: ${detail}`, 'set a valid key in ANTHROPIC_API_KEY (or run with --agent mutate)');
  if (e.status === 403) return new UserError(`the Anthropic API refused model ${model}`, `the API answered 403: ${detail}`, 'check the key\'s permissions or choose another model with --model');
  if (e.status === 404) return new UserError(`the Anthropic API does not know model ${model}`, `the API answered 404: ${detail}`, 'check --model (config agent.model / agent.learn_model) and ANTHROPIC_BASE_URL');
  return null;
}

function errorText(e: unknown): string {
  if (e instanceof APIError && e.status !== undefined) return `${e.status} ${e.type ?? ''} ${e.apiMessage ?? e.message}`.replace(/\s+/g, ' ').trim();
  return e instanceof Error ? e.message : String(e);
}

function toTokens(u: Usage): Tokens {
  return { input: u.input_tokens, output: u.output_tokens, cache_write: u.cache_creation_input_tokens ?? 0, cache_read: u.cache_read_input_tokens ?? 0 };
}

/** A copy of the messages with one cache breakpoint on the last block of the newest user turn. */
function withTailBreakpoint(messages: MessageParam[]): MessageParam[] {
  const out = messages.slice();
  const i = out.length - 1;
  const last = out[i];
  if (last.role !== 'user' || typeof last.content === 'string' || last.content.length === 0) return out;
  const blocks = last.content.slice();
  blocks[blocks.length - 1] = { ...blocks[blocks.length - 1], cache_control: EPHEMERAL } as ContentBlockParam;
  out[i] = { role: 'user', content: blocks };
  return out;
}

function nonEmpty(text: string, fallback: string): string {
  return text.trim() ? text : fallback;
}
