import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createAgent } from '../../../agent/agents/index.ts';
import type { LlmCall } from '../../../agent/agents/types.ts';
import { CATEGORIES } from '../../../agent/events.ts';
import { UserError } from '../../../harness/errors.ts';
import {
  create, delayed, finish, httpError, overloaded, rateLimited, reset, startFakeLlm, strReplace, turn, view, withUsage, type FakeLlm, type FakeStep,
} from '../../fake-llm.ts';
import { makeRepo, proposeContext, SAMPLE_TRAIN, testConfig } from './repo-fixture.ts';

const fakes: FakeLlm[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));

async function setup(script: FakeStep[], agent: Record<string, unknown> = {}) {
  // claude-opus-4-5: the SDK prints a deprecation warning for the default claude-sonnet-4-5
  const config = testConfig({ agent: { model: 'claude-opus-4-5', ...agent } });
  const fake = await startFakeLlm(script);
  fakes.push(fake);
  const repo = makeRepo();
  const sleeps: number[] = [];
  const warnings: string[] = [];
  const secrets = { anthropicApiKey: 'test-key', anthropicBaseUrl: fake.url };
  const claude = createAgent('claude', config, secrets, { sleep: async (ms) => { sleeps.push(ms); }, warn: (l) => warnings.push(l) });
  const seen: LlmCall[] = [];
  const ctx = proposeContext(repo, config, { secrets, onCall: (c) => seen.push(c) });
  return { fake, repo, agent: claude, sleeps, warnings, seen, ctx, trainFile: path.join(repo, 'train', 'train.ts') };
}

const DROPOUT_03 = SAMPLE_TRAIN.replace('const DROPOUT = 0.2;', 'const DROPOUT = 0.3;');

test('a good edit: train/ changed as asked, proposal fields, tokens and cost from the price table', async () => {
  const s = await setup([
    turn('Let me look first.', view('train/train.ts')),
    withUsage(turn(strReplace('train/train.ts', 'const DROPOUT = 0.2;', 'const DROPOUT = 0.3;')),
      { input_tokens: 1200, output_tokens: 300, cache_creation_input_tokens: 5000, cache_read_input_tokens: 0 }),
    withUsage(turn(finish()), { input_tokens: 200, output_tokens: 80, cache_creation_input_tokens: 0, cache_read_input_tokens: 5000 }),
  ]);
  const p = await s.agent.propose(s.ctx);
  assert.equal(fs.readFileSync(s.trainFile, 'utf8'), DROPOUT_03);
  assert.deepEqual({ ...p, calls: undefined }, {
    outcome: 'edited', hypothesis: 'raise dropout to 0.3 to curb overfitting', category: 'regularization',
    subcategory: 'dropout', expected: 'CORR flat, BMC up slightly', calls: undefined,
  });
  const model = 'claude-opus-4-5';
  assert.deepEqual(p.calls, [
    { purpose: 'propose', model, tokens: { input: 100, output: 50, cache_write: 0, cache_read: 0 }, costUsd: 0.00175, ok: true },
    { purpose: 'propose', model, tokens: { input: 1200, output: 300, cache_write: 5000, cache_read: 0 }, costUsd: 0.04475, ok: true },
    { purpose: 'propose', model, tokens: { input: 200, output: 80, cache_write: 0, cache_read: 5000 }, costUsd: 0.0055, ok: true },
  ]);
  assert.deepEqual(s.seen, p.calls);

  const first = s.fake.requests[0];
  assert.equal(first.path, '/v1/messages');
  assert.match(String(first.headers['x-api-key'] ?? first.headers.authorization), /test-key/);
  assert.equal(first.body.model, model);
  assert.equal(first.body.max_tokens, 8192);
  assert.deepEqual(first.body.system, [
    { type: 'text', text: 'FIXED: research brief and harness contract', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'LEARNINGS: dropout 0.2 is fine', cache_control: { type: 'ephemeral' } },
  ]);
  assert.equal(first.body.messages.length, 1);
  assert.equal(first.body.messages[0].content[0].text, 'DYNAMIC: current train/ source and recent results');
  assert.match(first.body.messages[0].content[1].text, /^## How to work/);
  assert.deepEqual(first.body.tools[0], { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' });
  assert.equal(first.body.tools[1].name, 'finish_experiment');
  assert.deepEqual(first.body.tools[1].input_schema.properties.category.enum, [...CATEGORIES]);
  assert.deepEqual(first.body.tools[1].input_schema.required, ['hypothesis', 'category', 'subcategory', 'expected_effect']);

  const second = s.fake.requests[1].body.messages;
  assert.equal(second.length, 3);
  assert.equal(second[1].role, 'assistant');
  const result = second[2].content[0];
  assert.equal(result.type, 'tool_result');
  assert.equal(result.tool_use_id, second[1].content[1].id);
  assert.equal(result.is_error, undefined);
  assert.match(result.content, /^ {5}1\t\/\/ Sample train module for agent tests\.\n/);
  assert.deepEqual(result.cache_control, { type: 'ephemeral' }, 'the newest user turn carries the moving breakpoint');
  assert.equal(s.fake.requests[2].body.messages[2].content[0].cache_control, undefined, 'older turns lose it');
});

test('a type error is repaired: the diagnostics reach the model in the finish tool_result', async () => {
  const s = await setup([
    turn(strReplace('train/train.ts', 'const DROPOUT = 0.2;', "const DROPOUT: number = 'high';")),
    turn(finish()),
    turn(strReplace('train/train.ts', "const DROPOUT: number = 'high';", 'const DROPOUT = 0.3;')),
    turn(finish()),
  ]);
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'edited');
  assert.equal(fs.readFileSync(s.trainFile, 'utf8'), DROPOUT_03);
  assert.deepEqual(p.calls.map((c) => c.purpose), ['propose', 'propose', 'repair', 'repair']);
  const msgs = s.fake.requests[2].body.messages;
  const back = msgs[msgs.length - 1].content[0];
  assert.equal(back.type, 'tool_result');
  assert.equal(back.is_error, true);
  assert.equal(back.content, "train/ does not type-check (1 error(s)); fix them, then call finish_experiment again:\ntrain/train.ts(7,7): error TS2322: Type 'string' is not assignable to type 'number'.");
});

test('repair rounds run out: outcome failed with the remaining diagnostics', async () => {
  const s = await setup([
    turn(strReplace('train/train.ts', 'const DROPOUT = 0.2;', "const DROPOUT: number = 'high';")),
    turn(finish()), turn(finish()),
  ], { max_repair_rounds: 1 });
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'failed');
  assert.equal(p.error, "train/ still fails the type-check after 1 repair round(s):\ntrain/train.ts(7,7): error TS2322: Type 'string' is not assignable to type 'number'.");
  assert.equal(s.fake.remaining(), 0);
});

test('edits outside train/ are refused and nothing changes', async () => {
  const s = await setup([]);
  fs.symlinkSync(path.join(s.repo, 'harness', 'x.ts'), path.join(s.repo, 'train', 'link.ts'));
  s.fake.push(
    turn(strReplace('../harness/x.ts', 'X = 1', 'X = 2'), view('/etc/passwd'), strReplace('train/link.ts', 'X = 1', 'X = 2'), create('harness/y.ts', 'x')),
    turn(finish({ hypothesis: 'nothing to do' })),
  );
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'no-edit');
  assert.equal(fs.readFileSync(path.join(s.repo, 'harness', 'x.ts'), 'utf8'), 'export const X = 1;\n');
  assert.equal(fs.existsSync(path.join(s.repo, 'harness', 'y.ts')), false);
  assert.equal(fs.readFileSync(s.trainFile, 'utf8'), SAMPLE_TRAIN);
  const results = s.fake.requests[1].body.messages[2].content;
  assert.equal(results.length, 4);
  for (const r of results) {
    assert.equal(r.is_error, true);
    assert.match(r.content, /is outside train\/; only files under train\/ may be viewed or edited/);
  }
});

test('529 overloaded then success: two requests, waited per retry-after, the failure journaled', async () => {
  const s = await setup([overloaded(2), turn(finish())]);
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'no-edit');
  assert.equal(s.fake.requests.length, 2);
  assert.deepEqual(s.sleeps, [2000]);
  assert.deepEqual(p.calls.map((c) => [c.ok, c.error]), [[false, '529 overloaded_error fake-llm: scripted 529'], [true, undefined]]);
  assert.deepEqual(p.calls[0].tokens, { input: 0, output: 0, cache_read: 0, cache_write: 0 });
});

test('429 with retry-after: 1 waits 1000 ms; a reset connection is retried too', async () => {
  const s = await setup([rateLimited(1), reset(), turn(finish())]);
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'no-edit');
  assert.equal(s.fake.requests.length, 3);
  assert.equal(s.sleeps[0], 1000);
  assert.equal(s.sleeps.length, 2);
  assert.deepEqual(p.calls.map((c) => c.ok), [false, false, true]);
});

test('a request that outlives request_timeout_s is retried', async () => {
  const s = await setup([delayed(5_000, turn(finish())), turn(finish({ hypothesis: 'second try' }))], { request_timeout_s: 0.2 });
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.hypothesis, 'second try');
  assert.deepEqual(p.calls.map((c) => c.ok), [false, true]);
  assert.match(p.calls[0].error!, /timed out/i);
});

test('retries exhausted: outcome failed, every attempt reported', async () => {
  const s = await setup([httpError(500), httpError(503), httpError(500)], { max_retries: 2 });
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'failed');
  assert.equal(p.error, 'the model API gave up: 500 api_error fake-llm: scripted 500');
  assert.equal(s.seen.length, 3);
  assert.equal(s.sleeps.length, 2);
});

test('a 401 is a UserError and is not retried', async () => {
  const s = await setup([httpError(401)]);
  await assert.rejects(s.agent.propose(s.ctx), (e) => e instanceof UserError && e.what === 'ANTHROPIC_API_KEY was rejected');
  assert.equal(s.fake.requests.length, 1);
  assert.deepEqual(s.seen.map((c) => c.ok), [false]);
});

test('claude without a key is a UserError; auto without a key is mutate', () => {
  assert.throws(() => createAgent('claude', testConfig(), {}), (e) => e instanceof UserError && e.why === 'ANTHROPIC_API_KEY is not set');
  assert.equal(createAgent('auto', testConfig(), {}).name, 'mutate');
  assert.equal(createAgent('auto', testConfig(), { anthropicApiKey: 'k' }).name, 'claude');
});

test('learn uses the cheaper model; an unpriced model costs 0 and warns once', async () => {
  const s = await setup([turn('# Learnings\n- dropout: ambiguous'), turn(finish()), turn(finish())], { model: 'claude-unpriced' });
  const learned = await s.agent.learn({ iteration: 3, prompt: 'synthesize', config: s.ctx.config, secrets: s.ctx.secrets });
  assert.deepEqual(learned, { text: '# Learnings\n- dropout: ambiguous', calls: [
    { purpose: 'learn', model: 'claude-haiku-4-5', tokens: { input: 100, output: 50, cache_write: 0, cache_read: 0 }, costUsd: 0.00035, ok: true },
  ] });
  assert.equal(s.fake.requests[0].body.model, 'claude-haiku-4-5');
  assert.equal(s.fake.requests[0].body.tools, undefined);
  await s.agent.propose(s.ctx);
  await s.agent.propose(s.ctx);
  assert.deepEqual(s.warnings, ['warning: no price for model "claude-unpriced" in config.prices; its calls are counted as $0 against --max-cost']);
});

test('aborting mid-request rejects propose with the signal\'s reason', async () => {
  const s = await setup([delayed(60_000, turn(finish()))]);
  const ac = new AbortController();
  const reason = new Error('SIGINT');
  const run = s.agent.propose({ ...s.ctx, signal: ac.signal });
  while (s.fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
  ac.abort(reason);
  await assert.rejects(run, (e) => e === reason);
  assert.deepEqual(s.sleeps, []);
});
