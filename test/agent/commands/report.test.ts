// `report` on a hand-written run: where it writes, what it embeds, that journal and LLM text is
// escaped, and the bad inputs that must fail before anything is written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { reportCommand } from '../../../agent/commands/report.ts';
import { UserError } from '../../../harness/errors.ts';
import { handRun, type HandRun } from '../report/fixture.ts';

const HYPOTHESIS = '<script>alert("x")</script> & more';
const LEARNINGS = '# Learnings\n\n<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>\n\n- [click](javascript:alert(4)) **bold**\n';
let run: HandRun;

before(async () => { run = await handRun({ hypothesis: HYPOTHESIS, learnings: LEARNINGS }); });
after(() => run.cleanup());

const embedded = (html: string) => JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]);

function userError(fn: () => Promise<unknown>, what: string, why: string): Promise<void> {
  return assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.equal(e.what, what);
    assert.equal(e.why, why);
    return true;
  });
}

test('report writes runs/<tag>/report.html with the progress series, the table and the per-era note', async () => {
  const out = await reportCommand(run.dir, {});
  assert.equal(out, path.join(run.dir, 'runs', 't', 'report.html'));
  const html = fs.readFileSync(out, 'utf8');
  const data = embedded(html);
  assert.deepEqual(data.progress, {
    labels: ['baseline', '1', '2'], payout: [0.012, 0.005, 0.03], best: [0.012, 0.012, 0.03], kept: [null, null, 0.03],
  });
  assert.equal(data.live, null);
  assert.deepEqual(data.perEra, { series: null, note: 'the journal lists no saved predictions for exp 2' });
  assert.ok(html.includes('<p class="note">the journal lists no saved predictions for exp 2</p>'));
  assert.deepEqual([...html.matchAll(/<tr class="status-(\w+)">/g)].map((m) => m[1]), ['baseline', 'discard', 'keep']);
  // the DO NOT RETRY table: one row per category tried
  assert.equal((/<table id="dnr-table">.*?<\/table>/s.exec(html)![0].match(/<tr><td>/g) ?? []).length, 2);
  assert.ok(html.includes('not running · iteration 2 · phase explore · best payout 0.03000 (exp 2) · kept 1, discarded 1, errors 0 · spend $0.0025'));
  // no network: nothing is loaded from anywhere
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
});

test('report escapes hypotheses and learnings.md: only its own three scripts exist', async () => {
  const html = fs.readFileSync(await reportCommand(run.dir, { tag: 't' }), 'utf8');
  assert.equal(html.match(/<script/gi)!.length, 3);
  assert.ok(html.includes('<td data-v="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" class="hypothesis">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</td>'));
  assert.ok(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(3)&gt;'));
  assert.ok(html.includes('<li>click <strong>bold</strong></li>'), 'a javascript: link loses its link');
  assert.doesNotMatch(html, /<img|javascript:/i);
});

test('report --out is resolved against the working directory', async () => {
  const cwd = path.join(run.dir, 'runs');
  const out = await reportCommand(run.dir, { tag: 't', out: 'elsewhere.html' }, cwd);
  assert.equal(out, path.join(cwd, 'elsewhere.html'));
  assert.ok(fs.readFileSync(out, 'utf8').startsWith('<!DOCTYPE html>'));
  assert.deepEqual(fs.readdirSync(cwd).filter((f) => f.includes('.tmp-')), []);
});

test('report refuses an unknown tag and names the runs that exist', async () => {
  await userError(() => reportCommand(run.dir, { tag: 'nope' }), 'unknown run "nope"', 'runs/ has journals for: t');
});

test('report refuses --out in a missing directory or onto a directory, writing nothing', async () => {
  const missing = path.join(run.dir, 'no-such-dir');
  await userError(() => reportCommand(run.dir, { tag: 't', out: path.join(missing, 'r.html') }),
    `cannot write the report to ${path.join(missing, 'r.html')}`, `the directory ${missing} does not exist`);
  assert.equal(fs.existsSync(missing), false);
  await userError(() => reportCommand(run.dir, { tag: 't', out: path.join(run.dir, 'runs') }),
    `cannot write the report to ${path.join(run.dir, 'runs')}`, 'that path is a directory');
});

test('report in a repository without runs says so', async () => {
  const empty = fs.mkdtempSync(path.join(path.dirname(run.dir), 'ar-report-empty-'));
  try {
    await userError(() => reportCommand(empty, {}), 'no runs yet', 'runs/ has no run journals');
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
