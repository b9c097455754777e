// API faults through the shared fake server, each run through the real loop (`run --agent claude`,
// the real @anthropic-ai/sdk): throttling, overload, server errors, a reset connection, a stall past
// the client timeout, headers then a body that stalls forever (the whole-call deadline; also for the
// openai agent), malformed and escaping tool calls, replies without edits, an edit that never
// finishes or never type-checks. Every fault must be retried or recorded: exit 0, one candidate and
// one decision, nothing committed unless kept, every attempt journaled with its exact cost, nothing
// outside train/ touched. The noise-floor baseline is measured once in a template clone; each case
// runs in its own copy, where `run` resumes the tag exactly as after any stop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  create, delayed, droppedBody, editor, finish, httpError, insert, overloaded, rateLimited, reset, serverError, stalledBody, startFakeLlm, strReplace, turn,
  type FakeLlm, type FakeStep,
} from '../fake-llm.ts';
import { makeTempRepo, tinyConfig, type TempRepo } from '../helpers/temp-repo.ts';
import { invariantViolations, journalEvents, tinyData } from '../helpers/loop.ts';
import { humanPart } from '../../agent/knowledge/donotretry.ts';
import { createOpenAiAgent } from '../../agent/agents/openai.ts';
import { validateConfig } from '../../agent/config.ts';
import { NUDGE } from '../../agent/agents/protocol.ts';
import type { EventOf } from '../../agent/events.ts';
import { reduceState } from '../../agent/state.ts';

type Purpose = 'propose' | 'repair' | 'learn';
interface Case {
  name: string;
  script(dir: string): FakeStep[];
  /** changes the clone before the run (not committed, so it must be git-ignored) */
  prepare?(dir: string): void;
  /** the candidate's outcome and the loop's decision */
  outcome: 'edited' | 'no-edit' | 'failed';
  decision: 'keep' | 'discard' | 'error';
  /** every API attempt in order: purpose and whether it succeeded */
  calls: [Purpose, boolean][];
  /** the failed attempts' journaled error */
  failure?: RegExp;
  /** the candidate's error (outcome failed) */
  error?: RegExp;
  /** what the model was told about its tool calls, checked in the request that followed them */
  toolErrors?: RegExp[];
  check?(dir: string, fake: FakeLlm, cand: EventOf<'candidate'>): void;
}

const KEY = 'sk-test-faults-0000';
const TAG = 'f';
const LEARNED = '# Learnings\n\n## regularization\n- exp 1: see the journal.\n';
const learn = () => turn(LEARNED);
const realEdit = () => strReplace('train/train.ts', 'const DROPOUT = 0.2;', 'const DROPOUT = 0.1;');
// a comment-only edit type-checks and is a duplicate of the baseline, so it is decided without training
const commentEdit = () => insert('train/train.ts', 0, '// tried again after an API fault');
const validTurn = () => turn('A comment only.', commentEdit(), finish({ hypothesis: 'comment only: the baseline again' }));
const PROPOSE_USD = (100 * 5 + 50 * 25 + 0 * 6.25 + 0 * 0.5) / 1e6;
const LEARN_USD = (100 * 1 + 50 * 5 + 0 * 1.25 + 0 * 0.1) / 1e6;
const AGENT = { kind: 'claude', model: 'claude-opus-4-5', learn_model: 'claude-haiku-4-5', max_retries: 2, request_timeout_s: 2, max_tool_turns: 4, max_repair_rounds: 1 };
const OUTSIDE = 'export const ESCAPED = 1;\n';
/** The line of `const DROPOUT` in the project's train/train.ts, where the type error below lands. */
const DROPOUT_LINE = fs.readFileSync(new URL('../../train/train.ts', import.meta.url), 'utf8').split('\n').findIndex((l) => l.startsWith('const DROPOUT = ')) + 1;

const CASES: Case[] = [
  {
    name: '429 with retry-after is retried, then the edit is evaluated and kept',
    script: () => [rateLimited(1), turn('Lower dropout.', realEdit()), turn(finish({ hypothesis: 'lower dropout to 0.1' })), learn()],
    outcome: 'edited', decision: 'keep', calls: [['propose', false], ['propose', true], ['propose', true], ['learn', true]], failure: /^429 rate_limit_error/,
  },
  {
    name: '529 overloaded with retry-after is retried',
    script: () => [overloaded(1), validTurn(), learn()],
    outcome: 'edited', decision: 'discard', calls: [['propose', false], ['propose', true], ['learn', true]], failure: /^529 overloaded_error/,
  },
  {
    name: '500 is retried after backoff',
    script: () => [serverError(), validTurn(), learn()],
    outcome: 'edited', decision: 'discard', calls: [['propose', false], ['propose', true], ['learn', true]], failure: /^500 api_error/,
  },
  {
    name: 'a connection reset while waiting for the reply is retried',
    script: () => [delayed(200, reset()), validTurn(), learn()],
    outcome: 'edited', decision: 'discard', calls: [['propose', false], ['propose', true], ['learn', true]], failure: /^Connection error/,
  },
  {
    // the headers promise the whole body; half of it arrives, then the socket is destroyed
    name: 'a connection reset mid-body (after the 200 headers) is retried',
    script: () => [droppedBody(), validTurn(), learn()],
    outcome: 'edited', decision: 'discard', calls: [['propose', false], ['propose', true], ['learn', true]], failure: /^terminated$/,
  },
  {
    name: 'a 60-second stall trips the 2 s client timeout and is retried',
    script: () => [delayed(60_000, validTurn()), validTurn(), learn()],
    outcome: 'edited', decision: 'discard', calls: [['propose', false], ['propose', true], ['learn', true]], failure: /timed out/i,
  },
  {
    // the SDK's own timeout ends at the headers; only the whole-call deadline ends this one
    name: 'headers and half a body, then a stall forever, trip the 2 s whole-call deadline and are retried',
    script: () => [stalledBody(), validTurn(), learn()],
    outcome: 'edited', decision: 'discard', calls: [['propose', false], ['propose', true], ['learn', true]],
    failure: /^request timed out: no complete reply within 2 s$/,
  },
  {
    name: '529 on every attempt exhausts the retries and is recorded as an error',
    script: () => [overloaded(0), overloaded(0), overloaded(0), learn()],
    outcome: 'failed', decision: 'error', calls: [['propose', false], ['propose', false], ['propose', false], ['learn', true]],
    failure: /^529 overloaded_error/, error: /^the model API gave up: 529 overloaded_error/,
  },
  {
    name: 'a 400 is not retried and is recorded as an error',
    script: () => [httpError(400), learn()],
    outcome: 'failed', decision: 'error', calls: [['propose', false], ['learn', true]], failure: /^400 invalid_request_error/, error: /^the model API gave up: 400/,
  },
  {
    name: 'an unknown editor command and an unknown tool are refused',
    script: () => [turn(editor({ command: 'delete', path: 'train/train.ts' }), { name: 'bash', input: { command: 'rm -rf train' } }), turn(finish()), learn()],
    outcome: 'no-edit', decision: 'error', calls: [['propose', true], ['propose', true], ['learn', true]],
    toolErrors: [/^error: unknown command "delete"/, /^error: unknown tool "bash"/],
  },
  {
    name: 'calls with missing fields are refused, then the model recovers',
    script: () => [
      turn(editor({ command: 'str_replace', path: 'train/train.ts' }), editor({ command: 'create', file_text: 'x' }), finish({ category: undefined })),
      validTurn(), learn(),
    ],
    outcome: 'edited', decision: 'discard', calls: [['propose', true], ['propose', true], ['learn', true]],
    toolErrors: [/^error: str_replace needs a non-empty "old_str"/, /^error: missing "path"/, /^error: finish_experiment needs string fields category$/],
  },
  {
    name: 'a path with .. is refused',
    script: () => [
      turn(strReplace('train/../harness/errors.ts', 'export', `${OUTSIDE}export`), create('train/../program.md', 'overwritten')),
      turn(finish()), learn(),
    ],
    outcome: 'no-edit', decision: 'error', calls: [['propose', true], ['propose', true], ['learn', true]],
    toolErrors: [/^error: train\/\.\.\/harness\/errors\.ts is outside train\//, /^error: train\/\.\.\/program\.md is outside train\//],
  },
  {
    name: 'an absolute path outside train/ is refused',
    script: (dir) => [
      turn(create(path.join(dir, 'harness', 'evil.ts'), OUTSIDE), strReplace(path.join(dir, 'program.md'), '#', 'overwritten #')),
      turn(finish()), learn(),
    ],
    outcome: 'no-edit', decision: 'error', calls: [['propose', true], ['propose', true], ['learn', true]],
    toolErrors: [/ is outside train\//, / is outside train\//],
    check: (dir) => assert.equal(fs.existsSync(path.join(dir, 'harness', 'evil.ts')), false),
  },
  {
    name: 'a symlink out of train/ is not written through',
    prepare: (dir) => {
      fs.symlinkSync('../harness/errors.ts', path.join(dir, 'train', 'link.ts'));
      fs.symlinkSync('../harness', path.join(dir, 'train', 'linkdir'));
      fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), '/train/link.ts\n/train/linkdir\n');
    },
    script: () => [
      turn(strReplace('train/link.ts', 'export', `${OUTSIDE}export`), create('train/link.ts', OUTSIDE), create('train/linkdir/evil.ts', OUTSIDE)),
      turn(finish()), learn(),
    ],
    outcome: 'no-edit', decision: 'error', calls: [['propose', true], ['propose', true], ['learn', true]],
    toolErrors: [/^error: train\/link\.ts is outside train\//, /^error: train\/link\.ts is outside train\//, /^error: train\/linkdir\/evil\.ts is outside train\//],
    check: (dir) => {
      assert.equal(fs.readlinkSync(path.join(dir, 'train', 'link.ts')), '../harness/errors.ts');
      assert.equal(fs.existsSync(path.join(dir, 'harness', 'evil.ts')), false);
      assert.ok(!fs.readFileSync(path.join(dir, 'harness', 'errors.ts'), 'utf8').includes('ESCAPED'));
    },
  },
  {
    name: 'a reply with no edits (prose, then finish) is recorded as no-edit',
    script: () => [turn('The model is fine as it is.'), turn(finish({ hypothesis: 'no change is needed' })), learn()],
    outcome: 'no-edit', decision: 'error', calls: [['propose', true], ['propose', true], ['learn', true]],
    check: (_dir, fake) => assert.equal(lastUserBlocks(messages(fake)[1]).at(-1).text, NUDGE),
  },
  {
    name: 'a reply that edits then asks to stop is never evaluated',
    script: () => [turn('Lower dropout.', realEdit()), turn('That is enough; please stop here.'), turn('Stop.'), turn('Stop.'), learn()],
    outcome: 'failed', decision: 'error', calls: [['propose', true], ['propose', true], ['propose', true], ['propose', true], ['learn', true]],
    error: /^the model did not finish within max_tool_turns \(4\) turns$/,
    check: (dir, _fake, cand) => {
      // the unfinished edit is kept for the record under the candidate's ref, and train/ is back at HEAD
      assert.match(cand.diff, /-const DROPOUT = 0\.2;\n\+const DROPOUT = 0\.1;/);
      assert.match(fs.readFileSync(path.join(dir, 'train', 'train.ts'), 'utf8'), /\nconst DROPOUT = 0\.2;\n/);
    },
  },
  {
    name: 'an edit that never type-checks is not committed',
    script: () => [
      turn(strReplace('train/train.ts', 'const DROPOUT = 0.2;', 'const DROPOUT: number = "high";'), finish()),
      turn(finish()), learn(),
    ],
    outcome: 'failed', decision: 'error', calls: [['propose', true], ['repair', true], ['learn', true]],
    error: new RegExp(`^train/ still fails the type-check after 1 repair round\\(s\\):\ntrain/train\\.ts\\(${DROPOUT_LINE},7\\): error TS2322`),
    check: (dir, _fake, cand) => {
      assert.match(cand.diff, /\+const DROPOUT: number = "high";/);
      assert.match(fs.readFileSync(path.join(dir, 'train', 'train.ts'), 'utf8'), /\nconst DROPOUT = 0\.2;\n/);
    },
  },
  {
    name: 'a learn call that fails for good falls back to the template',
    script: () => [validTurn(), httpError(400)],
    outcome: 'edited', decision: 'discard', calls: [['propose', true], ['learn', false]], failure: /^400 invalid_request_error/,
    check: (dir) => assert.notEqual(fs.readFileSync(path.join(dir, 'learnings.md'), 'utf8'), LEARNED),
  },
];

let template: TempRepo;
let templateFake: FakeLlm;
const cleanups: (() => Promise<void> | void)[] = [];
let survived = 0;

describe('API faults through the shared fake server, in the real loop', { concurrency: 2 }, () => {
  before(async () => {
    const data = await tinyData();
    templateFake = await startFakeLlm();
    template = await makeTempRepo(tinyConfig(data, {
      agent: AGENT, gate: { noise_seeds: 2, margin: 0, early_discard: 100 }, budget: { max_cost_usd: 0 },
    }), 'ar-faults-template-');
    // a $0 budget stops right after the baseline; each case lifts it with --max-cost
    const res = await template.cli(['run', '--tag', TAG], { env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: templateFake.url } });
    assert.equal(res.exitCode, 0, res.stderr);
    assert.deepEqual(journalEvents(template.dir, TAG).filter((e) => e.type === 'baseline').length, 1);
  });
  after(async () => {
    for (const c of cleanups) await c();
    await templateFake?.close();
    template?.cleanup();
    console.log(`API faults survived: ${survived}/${CASES.length + 1}`);
  });

  for (const c of CASES) test(c.name, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-fault-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.cpSync(template.dir, dir, { recursive: true });
    c.prepare?.(dir);
    const fake = await startFakeLlm(c.script(dir));
    cleanups.push(() => fake.close());
    const git = async (args: string[]) => (await execa('git', args, { cwd: dir })).stdout.trim();
    const branchBefore = await git(['rev-parse', `refs/heads/autoresearch/${TAG}`]);
    const outsideBefore = outsideTrain(dir);

    const res = await execa(process.execPath, [path.join(dir, 'agent', 'bin.mjs'), 'run', '--tag', TAG, '--max-iterations', '1', '--agent', 'claude', '--max-cost', '1'], {
      cwd: dir, reject: false, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url, OPENAI_API_KEY: '' },
    });
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(fake.remaining(), 0, 'every scripted step was used');
    assert.equal(messages(fake).length, c.calls.length);

    const events = journalEvents(dir, TAG);
    const cands = events.filter((e): e is EventOf<'candidate'> => e.type === 'candidate');
    const decisions = events.filter((e): e is EventOf<'decision'> => e.type === 'decision');
    assert.deepEqual(cands.map((e) => e.iteration), [1]);
    assert.deepEqual(decisions.map((e) => e.iteration), [1]);
    const [cand, decision] = [cands[0], decisions[0]];
    assert.deepEqual([cand.outcome, decision.decision], [c.outcome, c.decision], decision.reason);
    if (c.error) assert.match(cand.error ?? '', c.error);

    // every attempt journaled: failed ones with no tokens and $0, the rest at the price table's rate
    const calls = events.filter((e): e is EventOf<'llm_call'> => e.type === 'llm_call' && e.iteration === 1);
    assert.deepEqual(calls.map((e) => [e.purpose, e.ok]), c.calls);
    for (const call of calls) {
      if (!call.ok) {
        assert.deepEqual([call.tokens, call.cost_usd], [{ input: 0, output: 0, cache_read: 0, cache_write: 0 }, 0]);
        assert.match(call.error ?? '', c.failure ?? /^$/);
      } else {
        assert.deepEqual(call.tokens, { input: 100, output: 50, cache_read: 0, cache_write: 0 });
        assert.equal(call.cost_usd, call.purpose === 'learn' ? LEARN_USD : PROPOSE_USD);
      }
    }
    const proposeOk = calls.filter((e) => e.purpose !== 'learn' && e.ok).length;
    assert.equal(cand.cost_usd, calls.filter((e) => e.purpose !== 'learn').reduce((s, e) => s + e.cost_usd, 0));
    assert.equal(cand.tokens.input, 100 * proposeOk);
    const total = events.filter((e): e is EventOf<'llm_call'> => e.type === 'llm_call').reduce((s, e) => s + e.cost_usd, 0);
    assert.equal(reduceState(events).costUsd, total);
    const learnOk = calls.some((e) => e.purpose === 'learn' && e.ok);
    assert.equal(events.find((e): e is EventOf<'learnings'> => e.type === 'learnings' && e.iteration === 1)?.by, learnOk ? 'claude' : 'template');

    // the branch moves only on keep, by exactly the candidate's train/
    const branchAfter = await git(['rev-parse', `refs/heads/autoresearch/${TAG}`]);
    if (c.decision === 'keep') {
      assert.equal(await git(['rev-parse', `${branchAfter}^`]), branchBefore);
      assert.equal(await git(['rev-parse', `${branchAfter}:train`]), cand.tree);
      assert.deepEqual((await git(['diff', '--name-only', branchBefore, branchAfter])).split('\n'), ['train/train.ts']);
    } else {
      assert.equal(branchAfter, branchBefore);
    }
    assert.equal(await git(['status', '--porcelain', '--', 'train']), '');
    assert.deepEqual(await invariantViolations(dir, TAG), []);
    assert.deepEqual(outsideTrain(dir), outsideBefore);

    if (c.toolErrors) {
      const results = lastUserBlocks(messages(fake)[1]).filter((b: { type: string }) => b.type === 'tool_result');
      assert.equal(results.length, c.toolErrors.length);
      results.forEach((r: { is_error?: boolean; content: string }, i: number) => {
        assert.equal(r.is_error, true);
        assert.match(r.content, c.toolErrors![i]);
      });
    }
    c.check?.(dir, fake, cand);
    survived++;
  });

  test('the openai agent: headers and half a body, then a stall forever, hit the whole-call deadline and are retried', openaiStall);
});

/** The openai agent outside the loop: the whole-call deadline is per SDK call, so each agent needs it. */
async function openaiStall(): Promise<void> {
  const fake = await startFakeLlm([stalledBody(), turn(LEARNED)]);
  cleanups.push(() => fake.close());
  const model = 'qwen2.5-coder:14b';
  const config = validateConfig({
    // 5 s: the honest reply must beat the deadline even while a parallel case copies a clone synchronously
    agent: { kind: 'openai', openai_base_url: fake.openaiUrl, openai_model: model, request_timeout_s: 5, max_retries: 1 },
    prices: { [model]: { input: 1, output: 2, cache_write: 0, cache_read: 0 } },
  }, 'the test');
  const agent = createOpenAiAgent(config, {}, { sleep: async () => {}, warn: () => {} });
  const calls: unknown[] = [];
  const res = await agent.learn({ iteration: 1, prompt: 'rewrite the learnings', config, secrets: {}, onCall: (c) => calls.push(c) });
  assert.equal(res?.text, LEARNED.trim(), JSON.stringify(calls));
  assert.deepEqual(res?.calls.map((c) => [c.ok, c.error ?? null, c.tokens.input, c.costUsd]), [
    [false, 'request timed out: no complete reply within 5 s', 0, 0],
    [true, null, 100, (100 * 1 + 50 * 2) / 1e6],
  ]);
  assert.equal(fake.requests.filter((q) => q.path.endsWith('/chat/completions')).length, 2);
  survived++;
}

/** The Messages API requests (the start-up reachability probe is a HEAD on the root). */
function messages(fake: FakeLlm) {
  return fake.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/v1/messages'));
}

function lastUserBlocks(req: { body: any }): any[] {
  const msgs = req.body.messages;
  return msgs[msgs.length - 1].content;
}

/** Hashes of everything outside train/ that a run must never change (program.md: its human part). */
function outsideTrain(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else out[r] = sha(fs.readFileSync(path.join(dir, r)));
    }
  };
  walk('harness');
  walk('agent');
  for (const f of ['package.json', 'tsconfig.json', 'autoresearch.yaml', '.git/HEAD']) out[f] = sha(fs.readFileSync(path.join(dir, f)));
  out['program.md (human part)'] = sha(humanPart(fs.readFileSync(path.join(dir, 'program.md'), 'utf8')));
  return out;
}
