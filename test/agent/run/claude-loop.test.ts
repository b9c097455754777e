// The claude agent inside the loop, through the real @anthropic-ai/sdk against the shared fake
// Messages API server: tokens and dollars journaled per call, learnings rewritten by the learn
// model, the budget stop, the key kept out of every file, and a SIGKILL during the API call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { finish, startFakeLlm, strReplace, turn, type FakeLlm, type FakeStep } from '../../fake-llm.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';
import { invariantViolations, journalEvents, outcomeOf, tinyData } from '../../helpers/loop.ts';
import type { EventOf } from '../../../agent/events.ts';

const KEY = 'sk-test-claude-loop-0000';
const LEARNED = '# Learnings\n\n## regularization\n- exp 1 · dropout 0.2 → 0.1: see the journal for its payout.\n';
let data: string;
const repos: TempRepo[] = [];
const fakes: FakeLlm[] = [];

// one iteration: an edit, finish (type-checks), then the learnings call
const script = (): FakeStep[] => [
  turn('Lower dropout.', strReplace('train/train.ts', 'const DROPOUT = 0.2;', 'const DROPOUT = 0.1;')),
  turn(finish({ hypothesis: 'lower dropout to 0.1: the net underfits', category: 'regularization', subcategory: 'dropout', expected_effect: 'CORR up' })),
  turn(LEARNED),
];
const config = (d: string) => tinyConfig(d, { agent: { kind: 'claude', model: 'claude-opus-4-5', learn_model: 'claude-haiku-4-5', max_retries: 1 } });

before(async () => { data = await tinyData(); });
after(async () => {
  for (const r of repos) r.cleanup();
  for (const f of fakes) await f.close();
});

async function setup(steps: FakeStep[]) {
  const fake = await startFakeLlm(steps);
  fakes.push(fake);
  const r = await makeTempRepo(config(data));
  repos.push(r);
  return { fake, r, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url } };
}

test('one claude iteration: edit, type-check, evaluation, learnings by the learn model, exact cost, budget stop', async () => {
  const { fake, r, env } = await setup(script());
  const res = await r.cli(['run', '--tag', 'c', '--max-iterations', '5', '--max-cost', '0.005'], { env });
  assert.equal(res.exitCode, 0, res.stderr);
  // 2 propose calls on opus-4-5 (100 in, 50 out: 100·5e-6 + 50·25e-6 = 0.00175 each) + 1 learn call on
  // haiku-4-5 (100·1e-6 + 50·5e-6 = 0.00035) = 0.00385; another iteration would pass $0.005
  assert.match(res.stdout, /would pass --max-cost \$0\.005/);
  const events = journalEvents(r.dir, 'c');
  const calls = events.filter((e): e is EventOf<'llm_call'> => e.type === 'llm_call');
  assert.deepEqual(calls.map((c) => [c.purpose, c.model]), [['propose', 'claude-opus-4-5'], ['propose', 'claude-opus-4-5'], ['learn', 'claude-haiku-4-5']]);
  const total = calls.reduce((s, c) => s + c.cost_usd, 0);
  assert.ok(Math.abs(total - 0.00385) < 1e-12, `cost ${total}`);
  const cand = events.find((e): e is EventOf<'candidate'> => e.type === 'candidate')!;
  assert.equal(cand.category, 'regularization');
  assert.equal(cand.hypothesis, 'lower dropout to 0.1: the net underfits');
  assert.match(cand.diff, /-const DROPOUT = 0\.2;\n\+const DROPOUT = 0\.1;/);
  assert.equal(cand.agent, 'claude');
  assert.equal(fs.readFileSync(path.join(r.dir, 'learnings.md'), 'utf8'), LEARNED);
  assert.equal(events.find((e): e is EventOf<'learnings'> => e.type === 'learnings' && e.iteration === 1)?.by, 'claude');
  // the fixed prefix is marked for caching; the key reached the API and nothing else
  const api = messages(fake);
  assert.equal(api.length, 3);
  assert.equal(api[0].body.system[0].cache_control.type, 'ephemeral');
  const auth = String(api[0].headers['x-api-key'] ?? api[0].headers.authorization);
  assert.ok(auth.includes(KEY));
  const status = JSON.parse((await r.cli(['status', '--json', '--tag', 'c'])).stdout);
  assert.ok(Math.abs(status.cost_usd - 0.00385) < 1e-12);
  assert.equal(status.tokens.input, 300);
  for (const file of walk(path.join(r.dir, 'runs'))) assert.ok(!fs.readFileSync(file).includes(KEY), `the API key leaked into ${file}`);
  assert.deepEqual(await invariantViolations(r.dir, 'c'), []);
});

test('killed with SIGKILL while waiting for the API, the resumed run re-asks and ends as an uninterrupted run', async () => {
  const ref = await setup(script());
  assert.equal((await ref.r.cli(['run', '--tag', 'c', '--max-iterations', '1'], { env: ref.env })).exitCode, 0);
  // the first request hangs; the loop is killed while waiting for it, then resumed
  const { fake, r, env } = await setup([{ delayMs: 20_000, status: 500 }, ...script()]);
  const child = r.cli(['run', '--tag', 'c', '--max-iterations', '1'], { env });
  for (let i = 0; i < 1200 && messages(fake).length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
  assert.equal(messages(fake).length, 1, 'the loop reached the API call');
  child.kill('SIGKILL');
  assert.equal((await child).signal, 'SIGKILL');
  const again = await r.cli(['run', '--tag', 'c', '--max-iterations', '1'], { env });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual(await invariantViolations(r.dir, 'c'), []);
  assert.deepEqual(await outcomeOf(r.dir, 'c'), await outcomeOf(ref.r.dir, 'c'));
  assert.equal(journalEvents(r.dir, 'c').filter((e) => e.type === 'candidate').length, 1);
});

test('claude without ANTHROPIC_API_KEY and an unreachable endpoint are refused before anything is touched', async () => {
  const r = await makeTempRepo(config(data));
  repos.push(r);
  const head = await r.git(['rev-parse', 'HEAD']);
  const noKey = await r.cli(['run', '--tag', 'x', '--agent', 'claude']);
  assert.equal(noKey.exitCode, 2);
  assert.match(noKey.stderr, /error: the claude agent needs an API key\n  why: ANTHROPIC_API_KEY is not set\n  fix: /);
  const port = await closedPort();
  const down = await r.cli(['run', '--tag', 'x', '--agent', 'claude'], { env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` } });
  assert.equal(down.exitCode, 2);
  assert.match(down.stderr, new RegExp(`error: cannot reach the claude endpoint http://127\\.0\\.0\\.1:${port}\n  why: ECONNREFUSED`));
  assert.equal(await r.git(['rev-parse', 'HEAD']), head);
  assert.equal((await r.git(['branch', '--list', 'autoresearch/*'])).trim(), '');
  assert.equal(fs.existsSync(path.join(r.dir, 'runs', 'x')), false);
});

/** The Messages API requests (the start-up reachability probe is a HEAD on the root). */
function messages(fake: FakeLlm) {
  return fake.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/v1/messages'));
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((ok) => srv.close(ok));
  return port;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
}
