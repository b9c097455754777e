import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createAgent } from '../../../agent/agents/index.ts';
import { UserError } from '../../../harness/errors.ts';
import { finish, httpError, startFakeLlm, strReplace, turn, view, withUsage, type FakeLlm, type FakeStep } from '../../fake-llm.ts';
import { makeRepo, proposeContext, SAMPLE_TRAIN, testConfig } from './repo-fixture.ts';

const fakes: FakeLlm[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));

const MODEL = 'qwen2.5-coder:14b';

async function setup(script: FakeStep[]) {
  const fake = await startFakeLlm(script);
  fakes.push(fake);
  const repo = makeRepo();
  const config = testConfig({
    agent: { kind: 'openai', openai_base_url: fake.openaiUrl },
    prices: { [MODEL]: { input: 1, output: 2, cache_write: 0, cache_read: 0.5 } },
  });
  const sleeps: number[] = [];
  const agent = createAgent('openai', config, {}, { sleep: async (ms) => { sleeps.push(ms); }, warn: () => {} });
  return { fake, repo, agent, sleeps, ctx: proposeContext(repo, config, { secrets: {} }), trainFile: path.join(repo, 'train', 'train.ts') };
}

test('a good edit through /v1/chat/completions with function tools', async () => {
  const s = await setup([
    turn(view('train/train.ts')),
    withUsage(turn(strReplace('train/train.ts', 'const DROPOUT = 0.2;', 'const DROPOUT = 0.3;')),
      { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 5000 }),
    turn('Done.', finish({ category: 'regularization', subcategory: 'dropout' })),
  ]);
  const p = await s.agent.propose(s.ctx);
  assert.equal(fs.readFileSync(s.trainFile, 'utf8'), SAMPLE_TRAIN.replace('const DROPOUT = 0.2;', 'const DROPOUT = 0.3;'));
  assert.equal(p.outcome, 'edited');
  assert.equal(p.category, 'regularization');
  assert.deepEqual(p.calls.map((c) => [c.purpose, c.model, c.tokens, c.costUsd]), [
    ['propose', MODEL, { input: 100, output: 50, cache_read: 0, cache_write: 0 }, 0.0002],
    ['propose', MODEL, { input: 1200, output: 300, cache_read: 5000, cache_write: 0 }, 0.0043],
    ['propose', MODEL, { input: 100, output: 50, cache_read: 0, cache_write: 0 }, 0.0002],
  ]);
  const first = s.fake.requests[0];
  assert.equal(first.path, '/v1/chat/completions');
  assert.equal(first.headers.authorization, 'Bearer no-key-needed');
  assert.equal(first.body.model, MODEL);
  assert.deepEqual(first.body.messages[0], { role: 'system', content: 'FIXED: research brief and harness contract\n\nLEARNINGS: dropout 0.2 is fine' });
  assert.match(first.body.messages[1].content, /^DYNAMIC: current train\/ source and recent results\n\n## How to work/);
  assert.deepEqual(first.body.tools.map((t: { function: { name: string } }) => t.function.name), ['str_replace_based_edit_tool', 'finish_experiment']);
  assert.deepEqual(first.body.tools[0].function.parameters.required, ['command', 'path']);
  const second = s.fake.requests[1].body.messages;
  assert.equal(second[2].role, 'assistant');
  assert.equal(second[3].role, 'tool');
  assert.equal(second[3].tool_call_id, second[2].tool_calls[0].id);
  assert.match(second[3].content, /^ {5}1\t\/\/ Sample train module for agent tests\./);
});

test('arguments that are not JSON and prose replies get an error result and a nudge', async () => {
  const badArgs = {
    id: 'chatcmpl-x', object: 'chat.completion', created: 0, model: MODEL,
    choices: [{ index: 0, finish_reason: 'tool_calls', logprobs: null,
      message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_bad', type: 'function', function: { name: 'str_replace_based_edit_tool', arguments: '{"command": "view",' } }] } }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
  const s = await setup([badArgs, turn('I think dropout is fine.'), turn(finish({ hypothesis: 'leave it' }))]);
  const p = await s.agent.propose(s.ctx);
  assert.equal(p.outcome, 'no-edit');
  const msgs = s.fake.requests[1].body.messages;
  assert.equal(msgs[3].tool_call_id, 'call_bad');
  assert.match(msgs[3].content, /^error: arguments are not valid JSON: /);
  const third = s.fake.requests[2].body.messages;
  assert.deepEqual(third[third.length - 1], { role: 'user', content: 'Continue the experiment with the str_replace_based_edit_tool tool, then call finish_experiment. Plain text replies are not read.' });
});

test('a 404 for the model is a UserError naming the server', async () => {
  const s = await setup([httpError(404)]);
  await assert.rejects(s.agent.propose(s.ctx), (e) => e instanceof UserError && e.what === `${s.fake.openaiUrl} has no model ${MODEL}`);
  assert.equal(s.fake.requests.length, 1);
});
