// Totals, charts over time, cost by model, per-model and per-env tables (#/stats).

import { api, live } from '../api.js';
import { h, clear, add, fmtInt, fmtCompact, fmtCost, fmtMs, debounce, dash } from '../util.js';
import { timeChart, hbarChart, legend } from '../chart.js';

const RANGES = [
  ['1h', '1 h', '1m'],
  ['24h', '24 h', '15m'],
  ['7d', '7 d', '2h'],
  ['30d', '30 d', '12h'],
];

// The cost report's groupings (GET /api/report?by=…).
const REPORT_BY = [['model', 'Model'], ['env', 'Env'], ['day', 'Day'], ['month', 'Month'], ['session', 'Session']];

function costAxis(v, exact) {
  if (exact) return fmtCost(v);
  if (v === 0) return '$0';
  return v >= 1 ? '$' + fmtCompact(v) : fmtCost(v);
}
const msAxis = (v) => (v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 0 : 1) + 's' : Math.round(v) + 'ms');

export function mountStats(root, { params, filter }) {
  let range = params.get('range') || sessionStorage.getItem('llmtrace.range') || '24h';
  if (!RANGES.some(([r]) => r === range)) range = '24h';
  let data = null;
  let reportBy = sessionStorage.getItem('llmtrace.reportBy') || 'model';
  if (!REPORT_BY.some(([b]) => b === reportBy)) reportBy = 'model';
  let destroyed = false;
  let ctl = null;

  const picker = h('div', { class: 'seg-toggle', role: 'group', 'aria-label': 'Time range', id: 'range-picker' });
  const updated = h('span', { class: 'faint small', id: 'stats-updated' });
  const body = h('div', { class: 'stats-body' }, h('div', { class: 'loading' }, 'Loading…'));
  const el = h('section', { class: 'view view-stats' },
    h('div', { class: 'toolbar' },
      h('h1', { class: 'view-title' }, 'Usage'),
      picker,
      filter ? h('a', { class: 'chip filter-chip', href: '#/stats', title: 'Stats follow the requests filter — click to clear' }, 'filter: ', h('span', { class: 'mono' }, filter), ' ✕') : null,
      h('span', { class: 'spacer' }), updated),
    body);
  root.append(el);

  function drawPicker() {
    clear(picker);
    for (const [r, label] of RANGES) {
      picker.append(h('button', { type: 'button', class: r === range ? 'on' : '', dataset: { range: r }, onclick: () => {
        range = r;
        sessionStorage.setItem('llmtrace.range', r);
        drawPicker();
        load();
      } }, label));
    }
  }

  /**
   * Reads the statistics and timeseries, and the cost report too unless `withReport` is false: the live
   * refresh (every completed request, debounced) leaves the report as it was, since it reads every
   * record of the range rather than the hourly totals; the minute timer, the range and By read it again.
   */
  async function load(withReport = true) {
    if (ctl) ctl.abort();
    const c = new AbortController();
    ctl = c;
    const [, , bucket] = RANGES.find(([r]) => r === range);
    const common = { since: range, filter: filter || undefined };
    const reportKey = range + ' ' + reportBy;
    const reuse = !withReport && data && data.reportKey === reportKey;
    try {
      const [stats, series, report] = await Promise.all([
        api('api/stats', { params: common, signal: c.signal }),
        api('api/timeseries', { params: { ...common, bucket }, signal: c.signal }),
        reuse ? data.report : api('api/report', { params: { ...common, by: reportBy }, signal: c.signal }),
      ]);
      if (destroyed || ctl !== c) return;
      data = { stats, series, report, reportKey };
      render();
      follow();
      updated.textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      if (e.name === 'AbortError' || destroyed || e.status === 401) return;
      add(clear(body), h('div', { class: 'banner error' }, e.message));
    }
  }

  function card(id, label, value, raw, sub) {
    return h('div', { class: 'stat-card', id, dataset: { value: raw == null ? '' : String(raw) } },
      h('div', { class: 'stat-label' }, label),
      h('div', { class: 'stat-value mono' }, value),
      sub ? h('div', { class: 'stat-sub' }, sub) : null);
  }

  function chartBox(title, note, make, series) {
    const box = h('div', { class: 'card chart-card' }, h('div', { class: 'chart-head' }, h('h2', { class: 'card-title' }, title), note ? h('span', { class: 'faint small' }, note) : null,
      series && series.length > 1 ? legend(series) : null));
    const holder = h('div', { class: 'chart-holder' });
    box.append(holder);
    box._draw = () => { add(clear(holder), make(Math.max(200, holder.clientWidth || box.clientWidth - 24))); };
    return box;
  }

  function breakdownTable(rows, keyName, keyLabel, id) {
    const hasP95 = rows.some((r) => r.p95ResponseTimeMs != null);
    return h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown', id },
      h('thead', null, h('tr', null,
        h('th', null, keyLabel), h('th', { class: 'num' }, 'Requests'), h('th', { class: 'num' }, 'Errors'),
        h('th', { class: 'num' }, 'Input'), h('th', { class: 'num' }, 'Output'), h('th', { class: 'num' }, 'Total'),
        h('th', { class: 'num' }, 'Cost'), h('th', { class: 'num' }, 'Avg'), hasP95 ? h('th', { class: 'num' }, 'p95') : null)),
      h('tbody', null, rows.length ? rows.map((r) => h('tr', null,
        h('td', { class: 'mono key' }, keyName === 'env' ? h('span', { class: 'env-chip' }, r.env) : r[keyName] ?? 'unknown'),
        h('td', { class: 'num mono' }, fmtInt(r.requests)),
        h('td', { class: 'num mono' + (r.errors ? ' err-text' : ' faint') }, fmtInt(r.errors ?? 0)),
        h('td', { class: 'num mono' }, fmtInt(r.promptTokens)),
        h('td', { class: 'num mono' }, fmtInt(r.completionTokens)),
        h('td', { class: 'num mono' }, fmtInt(r.totalTokens)),
        h('td', { class: 'num mono' }, fmtCost(r.estimatedCost)),
        h('td', { class: 'num mono' }, fmtMs(r.avgResponseTimeMs)),
        hasP95 ? h('td', { class: 'num mono' }, fmtMs(r.p95ResponseTimeMs)) : null))
        : h('tr', null, h('td', { colspan: '9', class: 'muted' }, 'No requests in this range.')))));
  }

  /** The cost report (`llmtrace report`'s table): a row per group and the totals, with its By picker. */
  function reportCard(report) {
    const picker = h('div', { class: 'seg-toggle', role: 'group', 'aria-label': 'Group the report by', id: 'report-by' },
      REPORT_BY.map(([b, label]) => h('button', { type: 'button', class: b === reportBy ? 'on' : '', dataset: { by: b }, onclick: () => {
        reportBy = b;
        sessionStorage.setItem('llmtrace.reportBy', b);
        load();
      } }, label)));
    const keyLabel = { model: 'Model', env: 'Env', day: 'Day (UTC)', month: 'Month (UTC)' }[report.by] || report.by;
    const cells = (r) => [
      h('td', { class: 'num mono' }, fmtInt(r.requests)),
      h('td', { class: 'num mono' + (r.errors ? ' err-text' : ' faint') }, fmtInt(r.errors)),
      h('td', { class: 'num mono' }, fmtInt(r.inputTokens)),
      h('td', { class: 'num mono' }, fmtInt(r.outputTokens)),
      h('td', { class: 'num mono' }, fmtInt(r.cachedInputTokens)),
      h('td', { class: 'num mono' }, fmtInt(r.reasoningTokens)),
      h('td', { class: 'num mono' }, fmtInt(r.totalTokens)),
      h('td', { class: 'num mono' }, fmtCost(r.cost)),
    ];
    const rows = report.rows || [];
    const unpriced = report.unpricedModels || [];
    return h('div', { class: 'card', id: 'report-card' },
      h('div', { class: 'chart-head' }, h('h2', { class: 'card-title' }, 'Cost report'), picker,
        h('span', { class: 'faint small' }, 'same as ', h('code', null, `llmtrace report --by ${report.by} --since ${range}`))),
      h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown', id: 'report-table', dataset: { by: report.by } },
        h('thead', null, h('tr', null, h('th', null, keyLabel), ['Requests', 'Errors', 'Input', 'Output', 'Cached', 'Reasoning', 'Total tokens', 'Cost']
          .map((t) => h('th', { class: 'num' }, t)))),
        h('tbody', null, rows.length
          ? rows.map((r) => h('tr', null, h('td', { class: 'mono key' }, report.by === 'env' ? h('span', { class: 'env-chip' }, r.key) : r.key), cells(r)))
          : h('tr', null, h('td', { colspan: '9', class: 'muted' }, 'No requests in this range.'))),
        h('tfoot', null, h('tr', { class: 'report-total' }, h('th', null, 'Total'), cells(report.totals))))),
      unpriced.length ? h('div', { class: 'warn-text small' }, 'Cost unknown (no price) for: ' + unpriced.join(', ')) : null);
  }

  let charts = [];
  function render() {
    const { stats: st, series } = data;
    const buckets = series.buckets || [];
    const bs = series.bucketSeconds || 60;
    const hasP95 = buckets.some((b) => b.p95ResponseTimeMs !== undefined);
    const label = RANGES.find(([r]) => r === range)[1];
    const errRate = st.totalRequests ? ((st.errors || 0) / st.totalRequests) * 100 : 0;
    const unpriced = st.unpricedModels || [];

    const cards = h('div', { class: 'stat-cards' },
      card('stat-requests', 'Requests', fmtInt(st.totalRequests), st.totalRequests,
        st.errors ? h('span', { class: 'err-text' }, `${fmtInt(st.errors)} errors · ${errRate.toFixed(errRate < 10 ? 1 : 0)}%`) : h('span', { class: 'faint' }, 'no errors')),
      card('stat-input', 'Input tokens', fmtInt(st.totalPromptTokens), st.totalPromptTokens),
      card('stat-output', 'Output tokens', fmtInt(st.totalCompletionTokens), st.totalCompletionTokens),
      card('stat-tokens', 'Total tokens', fmtInt(st.totalTokens), st.totalTokens),
      card('stat-cost', 'Estimated cost', fmtCost(st.estimatedCost), st.estimatedCost,
        unpriced.length ? h('span', { class: 'warn-text', title: unpriced.join(', ') }, `${unpriced.length} unpriced model${unpriced.length > 1 ? 's' : ''}`) : null),
      card('stat-latency', 'Avg latency', fmtMs(st.avgResponseTimeMs), st.avgResponseTimeMs,
        st.p95ResponseTimeMs != null ? h('span', { class: 'faint' }, 'p95 ', h('span', { class: 'mono' }, fmtMs(st.p95ResponseTimeMs))) : null));

    const sReq = [{ label: 'ok', cls: 's-ok', value: (b) => Math.max(0, b.requests - (b.errors || 0)) }, { label: 'errors', cls: 's-err', key: 'errors' }];
    const sTok = [{ label: 'input', cls: 's-in', key: 'promptTokens' }, { label: 'output', cls: 's-out', key: 'completionTokens' }];
    const sCost = [{ label: 'cost', cls: 's-cost', key: 'estimatedCost' }];
    const sLat = hasP95
      ? [{ label: 'p95', cls: 's-p95', key: 'p95ResponseTimeMs' }, { label: 'avg', cls: 's-avg', key: 'avgResponseTimeMs' }]
      : [{ label: 'avg', cls: 's-avg', key: 'avgResponseTimeMs' }];
    const common = { buckets, bucketSeconds: bs };
    charts = [
      chartBox('Requests', `per ${fmtBucket(bs)}`, (w) => timeChart({ ...common, id: 'chart-requests', label: 'requests over time', width: w, type: 'bar', series: sReq,
        yFormat: (v) => fmtCompact(v) }), sReq),
      chartBox('Tokens', `per ${fmtBucket(bs)}`, (w) => timeChart({ ...common, id: 'chart-tokens', label: 'tokens over time', width: w, type: 'bar', series: sTok,
        yFormat: (v, exact) => (exact ? fmtInt(v) : fmtCompact(v)) }), sTok),
      chartBox('Cost', 'estimated, USD', (w) => timeChart({ ...common, id: 'chart-cost', label: 'cost over time', width: w, type: 'bar', series: sCost, yFormat: costAxis }), sCost),
      chartBox(hasP95 ? 'Latency' : 'Latency (average)', hasP95 ? 'per bucket' : 'average per bucket — p95 needs server support',
        (w) => timeChart({ ...common, id: 'chart-latency', label: 'latency over time', width: w, type: 'line', series: sLat,
          yFormat: (v, exact) => (exact ? fmtMs(v) : msAxis(v)) }), sLat),
    ];
    const models = (st.modelBreakdown || []).slice();
    const costItems = models.filter((m) => m.estimatedCost != null).sort((a, b) => (b.estimatedCost || 0) - (a.estimatedCost || 0)).slice(0, 12)
      .map((m) => ({ label: m.model || 'unknown', value: m.estimatedCost || 0, note: `${fmtInt(m.requests)} requests` }));
    const costBox = chartBox('Cost by model', label, (w) => costItems.length ? hbarChart(costItems, { width: w, format: fmtCost, id: 'chart-cost-by-model' }) : h('div', { class: 'muted small' }, 'No priced requests in this range.'));

    add(clear(body), 
      cards,
      h('div', { class: 'chart-grid' }, charts),
      h('div', { class: 'split' },
        costBox,
        h('div', { class: 'card' }, h('h2', { class: 'card-title' }, 'By environment'), breakdownTable(st.envBreakdown || [], 'env', 'Env', 'env-table'))),
      h('div', { class: 'card' }, h('h2', { class: 'card-title' }, 'By model'), breakdownTable(models, 'model', 'Model', 'model-table')),
      reportCard(data.report),
    );
    charts.push(costBox);
    drawCharts();
  }
  function drawCharts() { for (const c of charts) c._draw(); }

  const ro = new ResizeObserver(debounce(() => { if (data) drawCharts(); }, 120));
  ro.observe(body);

  const refresh = debounce(() => load(false), 1500);
  let closeLive = null;
  // Live refresh, once the API has answered (so a password prompt never comes from the event stream).
  function follow() {
    if (closeLive || destroyed) return;
    closeLive = live({ filter: filter || undefined }, {
      onEvent(name) { if (name === 'request.completed' || name === 'cleared' || name === 'resync') refresh(); },
      onOpen(again) { if (again) refresh(); },
    });
  }
  const timer = setInterval(() => load(), 60000);

  drawPicker();
  load();
  return () => {
    destroyed = true;
    if (ctl) ctl.abort();
    refresh.cancel();
    clearInterval(timer);
    ro.disconnect();
    if (closeLive) closeLive();
    el.remove();
  };
}

function fmtBucket(sec) {
  if (sec % 3600 === 0) return sec / 3600 === 1 ? 'hour' : `${sec / 3600} h`;
  if (sec % 60 === 0) return sec / 60 === 1 ? 'minute' : `${sec / 60} min`;
  return `${sec} s`;
}
