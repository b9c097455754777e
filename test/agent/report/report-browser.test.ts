// The HTML report and the live page in a real browser (Debian's chromium driven by playwright-core):
// a short mutate run (2 iterations) in a temp clone, its report opened from file:// and then served by `serve`; the
// charts must hold one point per experiment and per era, the table must sort, nothing may reach
// the network, and the live page must pick up an iteration appended to the journal.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { reportCommand } from '../../../agent/commands/report.ts';
import type { EventOf } from '../../../agent/events.ts';
import { Journal } from '../../../agent/journal.ts';
import { rowsFromEvents } from '../../../agent/results/rows.ts';
import { reduceState } from '../../../agent/state.ts';
import { startReportServer } from '../../../agent/report/server.ts';
import { journalEvents, runToCompletion, tinyData } from '../../helpers/loop.ts';
import { makeTempRepo, PROJECT, tinyConfig, type TempRepo } from '../../helpers/temp-repo.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const SKIP = 'chromium not installed: apt-get install chromium';
const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';

let repo: TempRepo;
let userData: string;
let browser: BrowserContext;

before(async () => {
  if (!HAVE_CHROMIUM) return;
  // margin 0: any multi-seed improvement is kept, so the run has keeps to mark and diffs to show
  repo = await makeTempRepo(tinyConfig(await tinyData(), { gate: { noise_seeds: 2, margin: 0, early_discard: 1 } }));
  await runToCompletion(repo, ['--tag', 't', '--max-iterations', '2']);
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-chromium-'));
  browser = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (userData) fs.rmSync(userData, { recursive: true, force: true });
  repo?.cleanup();
});

/** A page that records console errors, uncaught exceptions and every request it makes. */
async function watchedPage(): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}

const CHARTS = `(() => {
  const chart = (id) => Chart.getChart(document.getElementById(id));
  const shape = (c) => ({ labels: c.data.labels.length, data: c.data.datasets.map((d) => d.data.length),
    drawn: c.data.datasets.map((_, i) => c.getDatasetMeta(i).data.length), width: c.chartArea.right - c.chartArea.left,
    last: c.data.datasets.map((d) => d.data[d.data.length - 1]) });
  return { progress: shape(chart('chart-progress')), perEra: shape(chart('chart-per-era')),
    rows: document.querySelectorAll('#results-table tbody tr').length };
})()`;
const ROW_ORDER = `[...document.querySelectorAll('#results-table tbody tr')].map((r) => Number(r.cells[0].dataset.v))`;

function needsChromium(t: TestContext): boolean {
  if (!HAVE_CHROMIUM) t.skip(SKIP);
  return HAVE_CHROMIUM;
}

test('the report opens from file:// with both charts drawn, a sortable table and no network', async (t) => {
  if (!needsChromium(t)) return;
  const file = await reportCommand(repo.dir, { tag: 't' });
  assert.equal(file, path.join(repo.dir, 'runs', 't', 'report.html'));
  const events = journalEvents(repo.dir, 't');
  const rows = rowsFromEvents(events);
  const best = reduceState(events).best!;
  const decision = events.find((e): e is EventOf<'decision'> => e.type === 'decision' && e.iteration === best.iteration)!;
  assert.equal(rows.length, 3);
  assert.ok(best.iteration > 0, 'margin 0 makes the run keep something');

  const { page, errors, requests } = await watchedPage();
  await page.goto(`file://${file}`);
  const c = await page.evaluate(CHARTS) as {
    progress: { labels: number; data: number[]; drawn: number[]; width: number; last: number[] };
    perEra: { labels: number; data: number[]; drawn: number[]; width: number; last: number[] };
    rows: number;
  };
  // one point per experiment (baseline + 2) in payout, running best and kept markers
  assert.deepEqual({ labels: c.progress.labels, data: c.progress.data, drawn: c.progress.drawn }, { labels: 3, data: [3, 3, 3], drawn: [3, 3, 3] });
  assert.equal(c.progress.last[0], rows[2].payout);
  // one point per scored era (the gate's per-era payout has the same eras) in best CORR, benchmark CORR and best BMC
  const eras = decision.perEra!.length;
  assert.deepEqual({ labels: c.perEra.labels, data: c.perEra.data, drawn: c.perEra.drawn }, { labels: eras, data: [eras, eras, eras], drawn: [eras, eras, eras] });
  assert.ok(c.progress.width > 100 && c.perEra.width > 100, `charts have a plot area (${c.progress.width}, ${c.perEra.width})`);
  // the cumulative curves end at the journal's multi-seed means: the same predictions, the same scorer
  assert.ok(Math.abs(c.perEra.last[0] / eras - decision.corr!) < 1e-12, `${c.perEra.last[0] / eras} vs ${decision.corr}`);
  assert.ok(Math.abs(c.perEra.last[2] / eras - decision.bmc!) < 1e-12, `${c.perEra.last[2] / eras} vs ${decision.bmc}`);
  assert.equal(c.rows, 3);

  // sorting: payout ascending on the first click, descending on the second; iteration order back on "exp"
  const byPayout = [...rows].sort((a, b) => a.payout! - b.payout!).map((r) => r.iteration);
  assert.deepEqual(await page.evaluate(ROW_ORDER), [0, 1, 2]);
  await page.click('#results-table th[data-key="payout"]');
  assert.deepEqual(await page.evaluate(ROW_ORDER), byPayout);
  await page.click('#results-table th[data-key="payout"]');
  assert.deepEqual(await page.evaluate(ROW_ORDER), [...byPayout].reverse());
  await page.click('#results-table th[data-key="iteration"]');
  assert.deepEqual(await page.evaluate(ROW_ORDER), [0, 1, 2]);

  const kept = rows.filter((r) => r.status === 'keep').length;
  assert.equal(await page.locator('details.kept-diff').count(), kept);
  const groups = new Set(events.filter((e): e is EventOf<'candidate'> => e.type === 'candidate').map((e) => `${e.category}/${e.subcategory.trim().toLowerCase()}`));
  assert.equal(await page.locator('#dnr-table tbody tr').count(), groups.size);
  fs.mkdirSync(path.join(PROJECT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: path.join(PROJECT, 'test-artifacts', 'report.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  await page.close();
});

test('serve: the live header follows runs/.lock and the page reloads when the journal grows', async (t) => {
  if (!needsChromium(t)) return;
  const lock = path.join(repo.dir, 'runs', '.lock');
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, tag: 't', host: os.hostname(), started: new Date().toISOString() }) + '\n');
  const server = await startReportServer({ repo: repo.dir, tag: 't', port: 0, pollMs: 300 });
  const { page, errors, requests } = await watchedPage();
  try {
    await page.goto(server.url);
    assert.equal(await page.locator('#results-table tbody tr').count(), 3);
    // a live run with max_iterations 2 done: its ETA is now
    assert.match(await page.locator('#status-line').innerText(), new RegExp(`^running \\(pid ${process.pid}\\) · iteration 2 · .* · ETA 0\\.0 min \\(max_iterations\\)$`));

    const journal = Journal.open(path.join(repo.dir, 'runs', 't', 'journal.jsonl'));
    const tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
    journal.append({ type: 'candidate', iteration: 3, ref: 'refs/autoresearch/t/3', refName: 'refs/autoresearch/t/3', parent: 'HEAD', diff: '',
      hypothesis: XSS, category: 'other', subcategory: '', expected: '', tokens, cost_usd: 0, agent: 'mutate', duplicateOf: null, outcome: 'edited' });
    journal.append({ type: 'decision', iteration: 3, decision: 'discard', reason: 'appended by the test', payout: -0.05, corr: -0.01, bmc: -0.02,
      fnc: null, sharpe: null, maxDrawdown: null, std: null, delta: -0.4, seeds: [], bestBefore: null, seconds: 0 });
    // a function, not a string: the page's CSP forbids eval (the project's types have no DOM, hence the any)
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#results-table tbody tr').length === 4, null, { timeout: 30_000 });
    const after = await page.evaluate(CHARTS) as { progress: { labels: number; last: number[] }; rows: number };
    assert.equal(after.progress.labels, 4);
    assert.equal(after.progress.last[0], -0.05);
    // the hypothesis is LLM text: shown literally, never run
    assert.equal(await page.locator('#results-table tbody tr:last-child td.hypothesis').innerText(), XSS);
    assert.equal(await page.evaluate('window.__xss'), undefined);

    fs.rmSync(lock);
    await page.waitForFunction(() => (globalThis as any).document.getElementById('status-line').textContent.startsWith('not running'), null, { timeout: 30_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
    assert.ok(requests.some((u) => u === `${server.url}status.json`));
  } finally {
    await page.close();
    await server.close();
    fs.rmSync(lock, { force: true });
  }
});
