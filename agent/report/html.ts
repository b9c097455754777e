// Renders the collected report as one self-contained HTML file: our CSS, chart.js's UMD build and
// the page script inlined, the data embedded as JSON. Every string from the journal, git or an LLM
// goes through escapeHtml or scriptJson; learnings.md is already rendered safely.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultRow } from '../results/rows.ts';
import type { ReportData } from './collect.ts';
import { escapeHtml as h, scriptJson } from './escape.ts';
import { statusLine } from './status-line.ts';

/** What the live page's script needs to poll the server. */
export interface LiveOptions { statusUrl: string; version: string; pollMs: number }

interface Column { key: keyof ResultRow; title: string; num: boolean; show(r: ResultRow): string }

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const fixed = (d: number) => (v: number | null) => (v === null ? '' : v.toFixed(d));
const f5 = fixed(5);

const COLUMNS: Column[] = [
  { key: 'iteration', title: 'exp', num: true, show: (r) => (r.status === 'baseline' ? 'base' : String(r.iteration)) },
  { key: 'status', title: 'status', num: false, show: (r) => r.status },
  { key: 'payout', title: 'payout', num: true, show: (r) => f5(r.payout) },
  { key: 'corr', title: 'CORR', num: true, show: (r) => f5(r.corr) },
  { key: 'bmc', title: 'BMC', num: true, show: (r) => f5(r.bmc) },
  { key: 'fnc', title: 'FNC', num: true, show: (r) => f5(r.fnc) },
  { key: 'sharpe', title: 'sharpe', num: true, show: (r) => fixed(3)(r.sharpe) },
  { key: 'max_drawdown', title: 'max DD', num: true, show: (r) => f5(r.max_drawdown) },
  { key: 'std', title: 'σ seeds', num: true, show: (r) => f5(r.std) },
  { key: 'bmc_last_200_eras', title: 'BMC last 200', num: true, show: (r) => f5(r.bmc_last_200_eras) },
  { key: 'corr_with_benchmark', title: 'corr w/ bench', num: true, show: (r) => f5(r.corr_with_benchmark) },
  { key: 'seeds', title: 'seeds', num: false, show: (r) => r.seeds.join(',') },
  { key: 'category', title: 'category', num: false, show: (r) => r.category ?? '' },
  { key: 'hypothesis', title: 'hypothesis', num: false, show: (r) => r.hypothesis ?? '' },
  { key: 'input_tokens', title: 'tokens in', num: true, show: (r) => String(r.input_tokens) },
  { key: 'output_tokens', title: 'tokens out', num: true, show: (r) => String(r.output_tokens) },
  { key: 'cost_usd', title: 'cost $', num: true, show: (r) => r.cost_usd.toFixed(4) },
  { key: 'seconds', title: 'seconds', num: true, show: (r) => fixed(1)(r.seconds) },
];

/** The complete HTML page; `live` adds polling of the serve process. */
export function renderReport(d: ReportData, live: LiveOptions | null = null): string {
  const embedded = { tag: d.tag, progress: d.progress, perEra: d.perEra, live };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>autoresearch · ${h(d.tag)}</title>
<style>${asset('report.css')}</style>
</head>
<body>
<header>
<h1>autoresearch run <code>${h(d.tag)}</code></h1>
<div id="status-line" class="${d.status.live ? 'running' : 'stopped'}">${h(statusLine(d.status))}</div>
<div class="muted">report built ${h(d.generated)}${live ? ' · live: refreshes while the run writes its journal' : ''}</div>
</header>
<section id="progress"><h2>Payout per experiment</h2>
<div class="chart"><canvas id="chart-progress"></canvas></div>
<p class="note">Multi-seed mean payout of each experiment, the running best the gate compared against, and stars on the keeps.</p></section>
${perEraSection(d)}
<section id="results"><h2>Results</h2><p class="note">Click a column header to sort.</p>
${resultsTable(d.rows)}</section>
<section id="do-not-retry"><h2>DO NOT RETRY</h2>
${dnrTable(d)}</section>
<section id="learnings"><h2>learnings.md</h2>
${d.learnings.note ? `<p class="note">${h(d.learnings.note)}</p>` : ''}<div class="learnings">${d.learnings.html}</div></section>
<section id="diffs"><h2>Kept steps</h2>
${diffsSection(d)}</section>
<script type="application/json" id="report-data">${scriptJson(embedded)}</script>
<script>${chartJs()}</script>
<script>${asset('report.js')}</script>
</body>
</html>
`;
}

function perEraSection(d: ReportData): string {
  const head = '<section id="per-era"><h2>Per-era cumulative CORR and BMC of the best model</h2>';
  if (!d.perEra.series) return `${head}<p class="note">${h(d.perEra.note)}</p></section>`;
  const s = d.perEra.series;
  const who = s.iteration === 0 ? 'the baseline' : `exp ${s.iteration}`;
  return `${head}<div class="chart"><canvas id="chart-per-era"></canvas></div>
<p class="note">The best model is ${h(who)}: its saved out-of-fold predictions re-scored per era (mean over seeds ${h(s.seeds.join(', '))})` +
    `${s.benchmark ? `, next to the benchmark column ${h(s.benchmark)} scored against the same targets` : ''}; ${s.eras.length} eras.</p></section>`;
}

function resultsTable(rows: ResultRow[]): string {
  const head = COLUMNS.map((c) => `<th data-key="${c.key}" data-type="${c.num ? 'num' : 'text'}"${c.num ? ' class="num"' : ''}>${h(c.title)}</th>`).join('');
  const body = rows.map((r) => {
    const cells = COLUMNS.map((c) => {
      const raw = r[c.key];
      const v = raw === null ? '' : Array.isArray(raw) ? raw.join(',') : String(raw);
      const cls = [c.num ? 'num' : '', c.key === 'hypothesis' ? 'hypothesis' : ''].filter(Boolean).join(' ');
      return `<td data-v="${h(v)}"${cls ? ` class="${cls}"` : ''}>${h(c.show(r))}</td>`;
    }).join('');
    return `<tr class="status-${h(r.status)}">${cells}</tr>`;
  }).join('\n');
  return `<div class="table-wrap"><table id="results-table" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function dnrTable(d: ReportData): string {
  if (d.dnr.length === 0) return '<p class="note">No experiment has been decided yet.</p>';
  const signed = (v: number | null) => (v === null ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(5)}`);
  const rows = d.dnr.map((r) => `<tr><td>${h(r.category)}</td><td>${h(r.subcategory || '—')}</td><td class="num">${r.trials}</td>` +
    `<td class="num">${r.keeps}</td><td class="num">${h(signed(r.bestDelta))}</td><td>${h(r.status)}</td><td>${h(r.details)}</td></tr>`).join('\n');
  return '<table id="dnr-table"><thead><tr><th>category</th><th>sub-category</th><th class="num">trials</th><th class="num">keeps</th>' +
    `<th class="num">best Δ</th><th>status</th><th>details</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function diffsSection(d: ReportData): string {
  if (d.diffs.length === 0) return '<p class="note">No experiment has been kept yet.</p>';
  return d.diffs.map((k) => `<details class="kept-diff"><summary>exp ${k.iteration} · payout ${h(k.payout === null ? 'n/a' : k.payout.toFixed(5))}` +
    `${k.delta === null ? '' : ` (${k.delta >= 0 ? '+' : ''}${k.delta.toFixed(5)})`} · <code>${h(k.sha.slice(0, 12))}</code> · ${h(k.hypothesis)}</summary>` +
    `<pre class="diff">${diffLines(k.diff)}</pre></details>`).join('\n');
}

function diffLines(diff: string): string {
  return diff.replace(/\n$/, '').split('\n').map((line) => {
    const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add'
      : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
    return cls ? `<span class="${cls}">${h(line)}</span>` : h(line);
  }).join('\n');
}

function asset(name: string): string {
  return fs.readFileSync(path.join(ASSETS, name), 'utf8');
}

// chart.js's UMD build, without its source-map comment (the map is not shipped in the file).
function chartJs(): string {
  const dist = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
  const code = fs.readFileSync(path.join(dist, 'chart.umd.min.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (/<\/script|<!--/i.test(code)) throw new Error('chart.js contains "</script" or "<!--" and cannot be inlined');
  return code;
}
