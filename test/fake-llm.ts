// THE shared fake LLM server for every test that talks to a model API (agents, loop, fault injection).
// Point the real SDKs at it — Anthropic: baseURL = fake.url; OpenAI: baseURL = fake.openaiUrl — and
// never mock the SDK modules.
//
//   const fake = await startFakeLlm([
//     turn('I will raise dropout.', strReplace('train/train.ts', 'DROPOUT = 0.2', 'DROPOUT = 0.3')),
//     overloaded(2),                                    // 529 with retry-after: 2
//     turn(finish({ category: 'regularization' })),
//   ]);
//   ... run the agent ...
//   fake.requests[0].body.system[0].cache_control      // every request body and header is recorded
//   await fake.close();
//
// Endpoints: POST /v1/messages (Anthropic Messages JSON, usage with input_tokens, output_tokens,
// cache_creation_input_tokens, cache_read_input_tokens) and POST /v1/chat/completions (OpenAI).
// Each request consumes the next scripted step:
//   turn(...)                     an assistant turn, rendered in the format of the endpoint hit
//   a plain object                sent verbatim as a 200 JSON body
//   { status, headers, body }     any HTTP reply; body defaults to the endpoint's error shape
//   { reset: true }               the socket is destroyed before any response (a connection error)
//   { partialBody: 'stall' }      200, headers and half of a valid reply's body, then nothing (until close)
//   { partialBody: 'reset' }      the same half body, then the socket is destroyed (a drop mid-body)
//   { delayMs, ... }              waits first (e.g. to trip a client timeout), then does the rest
// When the script runs out the server answers 400 "fake-llm: script exhausted", which no retry policy
// retries, so a test that under-scripts fails fast with that message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsage {
  input_tokens?: number; output_tokens?: number;
  cache_creation_input_tokens?: number; cache_read_input_tokens?: number;
}
export interface FakeToolCall { name: string; input: Record<string, unknown>; id?: string }
export interface FakeTurn { fakeTurn: true; text?: string; calls: FakeToolCall[]; usage: Required<FakeUsage> }
export interface FakeHttp { status?: number; headers?: Record<string, string>; body?: unknown; delayMs?: number; reset?: boolean; partialBody?: 'stall' | 'reset' }
export type FakeStep = FakeTurn | FakeHttp | Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** parsed JSON (typed any so tests can index into API bodies freely) */
  body: any;
}

export interface FakeLlm {
  /** root URL, e.g. http://127.0.0.1:43121 — the Anthropic SDK's baseURL */
  url: string;
  /** `${url}/v1` — the OpenAI SDK's baseURL */
  openaiUrl: string;
  /** every request received, in order (also those answered with an error or a reset) */
  requests: RecordedRequest[];
  /** appends steps to the script */
  push(...steps: FakeStep[]): void;
  /** steps not consumed yet */
  remaining(): number;
  close(): Promise<void>;
}

export const DEFAULT_USAGE: Required<FakeUsage> = { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

/** An assistant turn: strings become text, the rest tool calls. */
export function turn(...parts: (string | FakeToolCall)[]): FakeTurn {
  const text = parts.filter((p): p is string => typeof p === 'string').join('\n');
  return { fakeTurn: true, ...(text ? { text } : {}), calls: parts.filter((p): p is FakeToolCall => typeof p !== 'string'), usage: { ...DEFAULT_USAGE } };
}

/** The same turn with other token counts. */
export function withUsage(t: FakeTurn, usage: FakeUsage): FakeTurn {
  return { ...t, usage: { ...DEFAULT_USAGE, ...usage } };
}

export const EDITOR = 'str_replace_based_edit_tool';
export const editor = (input: Record<string, unknown>, id?: string): FakeToolCall => ({ name: EDITOR, input, ...(id ? { id } : {}) });
export const view = (path: string) => editor({ command: 'view', path });
export const create = (path: string, file_text: string) => editor({ command: 'create', path, file_text });
export const strReplace = (path: string, old_str: string, new_str: string) => editor({ command: 'str_replace', path, old_str, new_str });
export const insert = (path: string, insert_line: number, insert_text: string) => editor({ command: 'insert', path, insert_line, insert_text });

/** A finish_experiment call with valid defaults, overridable field by field. */
export function finish(args: Record<string, unknown> = {}): FakeToolCall {
  return {
    name: 'finish_experiment',
    input: { hypothesis: 'raise dropout to 0.3 to curb overfitting', category: 'regularization', subcategory: 'dropout', expected_effect: 'CORR flat, BMC up slightly', ...args },
  };
}

export const httpError = (status: number, headers: Record<string, string> = {}, body?: unknown): FakeHttp => ({ status, headers, ...(body === undefined ? {} : { body }) });
export const overloaded = (retryAfterS?: number) => httpError(529, retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) });
export const rateLimited = (retryAfterS: number) => httpError(429, { 'retry-after': String(retryAfterS) });
export const serverError = () => httpError(500);
export const reset = (): FakeHttp => ({ reset: true });
export const stalledBody = (): FakeHttp => ({ partialBody: 'stall' });
export const droppedBody = (): FakeHttp => ({ partialBody: 'reset' });
export const delayed = (delayMs: number, step: FakeHttp | FakeTurn = {}): FakeHttp | FakeTurn => ({ ...step, delayMs } as FakeHttp | FakeTurn);

const ENVELOPE_KEYS = new Set(['status', 'headers', 'body', 'delayMs', 'reset', 'partialBody']);
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error',
};

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeLlm(script: FakeStep[] = []): Promise<FakeLlm> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  let ids = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try { body = raw ? JSON.parse(raw) : null; } catch { /* recorded as text */ }
      const path = (req.url ?? '').split('?')[0];
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const flavour = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/messages') ? 'anthropic' : null;
      if (!flavour) return send(res, 404, {}, { error: { message: `fake-llm: no endpoint ${path}` } });
      const step = queue.shift();
      if (step === undefined) return send(res, 400, {}, errorBody(flavour, 400, `fake-llm: script exhausted at request #${requests.length}`));
      const delay = typeof (step as FakeHttp).delayMs === 'number' ? (step as FakeHttp).delayMs! : 0;
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, step, flavour, (body ?? {}) as { model?: string }, () => ++ids);
      }, delay);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, openaiUrl: `${url}/v1`, requests,
    push: (...steps) => { queue.push(...steps); },
    remaining: () => queue.length,
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function answer(res: http.ServerResponse, step: FakeStep, flavour: 'anthropic' | 'openai', req: { model?: string }, nextId: () => number): void {
  if ((step as FakeTurn).fakeTurn) return send(res, 200, {}, render(step as FakeTurn, flavour, req.model ?? 'fake-model', nextId));
  const isEnvelope = Object.keys(step).every((k) => ENVELOPE_KEYS.has(k) || k === 'fakeTurn');
  if (!isEnvelope) return send(res, 200, {}, step);
  const env = step as FakeHttp;
  if (env.reset) { res.socket?.destroy(); return; }
  if (env.partialBody) return sendHalf(res, render(turn(''), flavour, req.model ?? 'fake-model', nextId), env.partialBody);
  const status = env.status ?? 200;
  const body = env.body ?? (status >= 400 ? errorBody(flavour, status) : render(turn(''), flavour, req.model ?? 'fake-model', nextId));
  send(res, status, env.headers ?? {}, body);
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The headers promise the whole body; only its first half is ever written, then the socket stalls or is destroyed. */
function sendHalf(res: http.ServerResponse, body: unknown, then: 'stall' | 'reset'): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.write(text.slice(0, Math.floor(text.length / 2)), () => { if (then === 'reset') res.socket?.destroy(); });
}

function errorBody(flavour: 'anthropic' | 'openai', status: number, message = `fake-llm: scripted ${status}`): unknown {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return flavour === 'anthropic' ? { type: 'error', error: { type, message } } : { error: { message, type, code: null } };
}

function render(t: FakeTurn, flavour: 'anthropic' | 'openai', model: string, nextId: () => number): unknown {
  const u = t.usage;
  if (flavour === 'anthropic') {
    const content = [
      ...(t.text ? [{ type: 'text', text: t.text }] : []),
      ...t.calls.map((c) => ({ type: 'tool_use', id: c.id ?? `toolu_fake_${nextId()}`, name: c.name, input: c.input })),
    ];
    return {
      id: `msg_fake_${nextId()}`, type: 'message', role: 'assistant', model, content,
      stop_reason: t.calls.length ? 'tool_use' : 'end_turn', stop_sequence: null, usage: { ...u },
    };
  }
  const toolCalls = t.calls.map((c) => ({ id: c.id ?? `call_fake_${nextId()}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } }));
  const prompt = u.input_tokens + u.cache_read_input_tokens;
  return {
    id: `chatcmpl-fake-${nextId()}`, object: 'chat.completion', created: 0, model,
    choices: [{
      index: 0, logprobs: null, finish_reason: t.calls.length ? 'tool_calls' : 'stop',
      message: { role: 'assistant', content: t.text ?? null, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
    }],
    usage: { prompt_tokens: prompt, completion_tokens: u.output_tokens, total_tokens: prompt + u.output_tokens, prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens } },
  };
}
