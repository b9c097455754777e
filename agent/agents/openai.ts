// The OpenAI-compatible agent for local or hosted servers (Ollama, vLLM, llama.cpp server) through
// chat.completions with function tools: the same editor, finish_experiment, repair and retry policy
// as the Claude agent. The SDK never retries on its own (maxRetries: 0); retry.ts does.
import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { UserError } from '../../harness/errors.ts';
import type { Config, Secrets } from '../config.ts';
import { makeCoster } from './pricing.ts';
import { EDITOR_DESCRIPTION, EDITOR_SCHEMA, EDITOR_TOOL, FINISH_DESCRIPTION, FINISH_SCHEMA, FINISH_TOOL, RULES } from './protocol.ts';
import { isBodyTerminated, withDeadline, withRetry, type ApiFailure } from './retry.ts';
import { runSession, withCalls, type Conversation, type ToolCall } from './session.ts';
import { ZERO_TOKENS, type Agent, type AgentDeps, type LlmCall, type Tokens } from './types.ts';

/** Local servers ignore the key but the SDK insists on one. */
const PLACEHOLDER_KEY = 'no-key-needed';

const TOOLS: ChatCompletionTool[] = [
  { type: 'function', function: { name: EDITOR_TOOL, description: EDITOR_DESCRIPTION, parameters: EDITOR_SCHEMA as unknown as Record<string, unknown> } },
  { type: 'function', function: { name: FINISH_TOOL, description: FINISH_DESCRIPTION, parameters: FINISH_SCHEMA as unknown as Record<string, unknown> } },
];

/** Creates the agent for config.agent.openai_base_url with config.agent.openai_model. */
export function createOpenAiAgent(config: Config, secrets: Secrets, deps: AgentDeps = {}): Agent {
  const baseURL = config.agent.openai_base_url;
  const client = new OpenAI({
    apiKey: secrets.openaiApiKey ?? PLACEHOLDER_KEY, baseURL,
    maxRetries: 0, timeout: config.agent.request_timeout_s * 1000,
  });
  const cost = makeCoster(config.prices, deps.warn ?? ((l) => process.stderr.write(`${l}\n`)));
  // the SDK's timeout stops at the response headers; this bounds the whole call, body included
  const deadlineMs = config.agent.request_timeout_s * 1000;

  /** One chat completion under the retry policy; every attempt is reported. */
  async function send(
    model: string, messages: ChatCompletionMessageParam[], tools: ChatCompletionTool[] | undefined,
    purpose: LlmCall['purpose'], calls: LlmCall[], onCall: ((c: LlmCall) => void) | undefined, signal: AbortSignal | undefined,
  ): Promise<OpenAI.ChatCompletion> {
    const report = (c: LlmCall) => { calls.push(c); onCall?.(c); };
    return withRetry(async () => {
      try {
        const res = await withDeadline(deadlineMs, signal, (s) => client.chat.completions.create(
          { model, messages, max_tokens: config.agent.max_tokens, ...(tools ? { tools, tool_choice: 'auto' as const } : {}) }, { signal: s }));
        if (!res.choices?.length) throw new Error(`${baseURL} returned a completion without choices`);
        const tokens = toTokens(res.usage);
        report({ purpose, model, tokens, costUsd: cost(model, tokens), ok: true });
        return res;
      } catch (e) {
        report({ purpose, model, tokens: { ...ZERO_TOKENS }, costUsd: 0, ok: false, error: errorText(e) });
        throw userErrorFor(e, model, baseURL) ?? e;
      }
    }, { retries: config.agent.max_retries, signal, describe, sleep: deps.sleep }).catch((e: unknown) => {
      throw e instanceof UserError || signal?.aborted ? e : new Error(errorText(e), { cause: e });
    });
  }

  return {
    name: 'openai',
    async propose(ctx) {
      const calls: LlmCall[] = [];
      const model = ctx.config.agent.openai_model;
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: [ctx.prompt.fixed, ctx.prompt.learnings].filter((t) => t.trim()).join('\n\n') || '(no research brief)' },
        { role: 'user', content: `${ctx.prompt.dynamic}\n\n${RULES}` },
      ];
      const conversation: Conversation = {
        async next(reply, purpose): Promise<ToolCall[]> {
          for (const r of reply.results) messages.push({ role: 'tool', tool_call_id: r.id, content: r.content });
          if (reply.nudge) messages.push({ role: 'user', content: reply.nudge });
          const res = await send(model, messages, TOOLS, purpose, calls, ctx.onCall, ctx.signal);
          const msg = res.choices[0].message;
          const toolCalls = (msg.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []));
          messages.push({ role: 'assistant', content: msg.content ?? '', ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
          return toolCalls.map((c) => parseCall(c.id, c.function.name, c.function.arguments));
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
        const res = await send(ctx.config.agent.openai_model, [{ role: 'user', content: ctx.prompt }], undefined, 'learn', calls, ctx.onCall, ctx.signal);
        const text = (res.choices[0].message.content ?? '').trim();
        return text ? { text, calls } : null;
      } catch (e) {
        if (e instanceof UserError) throw e;
        if (ctx.signal?.aborted) throw ctx.signal.reason;
        return null;
      }
    },
  };
}

function parseCall(id: string, name: string, args: string): ToolCall {
  try {
    return { id, name, input: args.trim() ? JSON.parse(args) : {} };
  } catch (e) {
    return { id, name, input: null, parseError: (e as Error).message };
  }
}

function describe(e: unknown): ApiFailure {
  const message = errorText(e);
  if (e instanceof APIUserAbortError) return { kind: 'abort', status: null, headers: null, message };
  if (e instanceof APIConnectionError || isBodyTerminated(e)) return { kind: 'connection', status: null, headers: null, message };
  if (e instanceof APIError) return { kind: 'http', status: e.status ?? null, headers: e.headers ?? null, message };
  return { kind: 'other', status: null, headers: null, message };
}

function userErrorFor(e: unknown, model: string, baseURL: string): UserError | null {
  if (!(e instanceof APIError) || e.status === undefined) return null;
  if (e.status === 401) return new UserError(`OPENAI_API_KEY was rejected by ${baseURL}`, `the server answered 401: ${errorText(e)}`, 'set a valid key in OPENAI_API_KEY, or unset it for a local server');
  if (e.status === 403) return new UserError(`${baseURL} refused model ${model}`, `the server answered 403: ${errorText(e)}`, 'check the key\'s permissions or set agent.openai_model');
  if (e.status === 404) return new UserError(`${baseURL} has no model ${model}`, `the server answered 404: ${errorText(e)}`, 'pull or load the model (e.g. `ollama pull <model>`), or fix agent.openai_model / OPENAI_BASE_URL');
  return null;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function toTokens(u: OpenAI.CompletionUsage | undefined): Tokens {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
  return { input: (u?.prompt_tokens ?? 0) - cached, output: u?.completion_tokens ?? 0, cache_read: cached, cache_write: 0 };
}
