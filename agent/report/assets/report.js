// The report page's script: draws the charts from the embedded JSON, sorts the results table when a
// header is clicked, and on the live page polls /status.json and reloads when the journal grew.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = { payout: '#4c78a8', best: '#f58518', kept: '#54a24b', corr: '#4c78a8', bench: '#9d9d9d', bmc: '#e45756' };

  function lineOptions(yTitle) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { title: { display: true, text: yTitle } } },
      plugins: { legend: { position: 'bottom' } },
    };
  }

  function drawProgress() {
    var p = data.progress;
    var canvas = document.getElementById('chart-progress');
    if (!canvas) return;
    new Chart(canvas, {
      type: 'line',
      data: {
        labels: p.labels,
        datasets: [
          { label: 'payout', data: p.payout, borderColor: COLORS.payout, backgroundColor: COLORS.payout, showLine: false, pointRadius: 3 },
          { label: 'running best', data: p.best, borderColor: COLORS.best, backgroundColor: COLORS.best, stepped: true, pointRadius: 0 },
          { label: 'kept', data: p.kept, borderColor: COLORS.kept, backgroundColor: COLORS.kept, showLine: false, pointStyle: 'star', pointRadius: 8, borderWidth: 2 },
        ],
      },
      options: lineOptions('payout (0.75·CORR + 2.25·BMC)'),
    });
  }

  function drawPerEra() {
    var s = data.perEra.series;
    var canvas = document.getElementById('chart-per-era');
    if (!canvas || !s) return;
    var sets = [{ label: 'best model CORR (exp ' + s.iteration + ')', data: s.cumCorr, borderColor: COLORS.corr, backgroundColor: COLORS.corr, pointRadius: 0 }];
    if (s.cumBenchmarkCorr) sets.push({ label: 'benchmark CORR (' + s.benchmark + ')', data: s.cumBenchmarkCorr, borderColor: COLORS.bench, backgroundColor: COLORS.bench, pointRadius: 0 });
    if (s.cumBmc) sets.push({ label: 'best model BMC', data: s.cumBmc, borderColor: COLORS.bmc, backgroundColor: COLORS.bmc, pointRadius: 0 });
    new Chart(canvas, { type: 'line', data: { labels: s.eras, datasets: sets }, options: lineOptions('cumulative per-era score') });
  }

  // Numbers compare numerically and text by locale; empty cells go last in either direction.
  function sortTable(table, th) {
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute('data-type') === 'num';
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (row) {
      var v = row.cells[col].getAttribute('data-v');
      if (v === null || v === '') return null;
      return numeric ? Number(v) : v;
    };
    rows.sort(function (a, b) {
      var x = key(a);
      var y = key(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      var c = numeric ? x - y : String(x).localeCompare(String(y));
      return c * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
  }

  function wireSorting() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        th.addEventListener('click', function () { sortTable(table, th); });
      });
    });
  }

  function pollLive() {
    var live = data.live;
    if (!live) return;
    var line = document.getElementById('status-line');
    setInterval(function () {
      fetch(live.statusUrl, { cache: 'no-store' })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          line.textContent = s.line;
          line.className = s.status.live ? 'running' : 'stopped';
          if (s.version !== live.version) location.reload();
        })
        .catch(function () { line.textContent = 'the serve process is not answering'; line.className = 'stopped'; });
    }, live.pollMs);
  }

  drawProgress();
  drawPerEra();
  wireSorting();
  pollLive();
})();
