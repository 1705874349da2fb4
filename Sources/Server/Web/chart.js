// Small inline-SVG charts: time series (stacked bars or a line) with a hover readout, and horizontal bars.
// Colours come from CSS classes, so both themes work.

import { h, s } from './util.js';

/** A maximum whose quarters are round numbers (1, 2, 2.5, 5 × 10^k). */
function niceMax(v) {
  if (!(v > 0)) return 4;
  const step = v / 4;
  const p = Math.pow(10, Math.floor(Math.log10(step)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= step) return m * p * 4;
  return 40 * p;
}

const pad2 = (n) => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function timeLabel(d, step) {
  if (step >= 86400) return `${DAYS[d.getDay()]} ${d.getDate()}`;
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function fullLabel(d, bucketSeconds) {
  const end = new Date(d.getTime() + bucketSeconds * 1000);
  const f = (x) => `${pad2(x.getHours())}:${pad2(x.getMinutes())}`;
  const day = d.toDateString() === new Date().toDateString() ? '' : `${DAYS[d.getDay()]} ${d.getDate()} · `;
  return `${day}${f(d)}–${f(end)}`;
}

/**
 * A time-series chart.
 * opts: {buckets:[{t,…}], bucketSeconds, series:[{key, label, cls, value?(b)}], type:'bar'|'line',
 *        width, height, yFormat(n), id}
 */
export function timeChart(opts) {
  const { buckets, bucketSeconds, series, type = 'bar', width = 600, height = 170, yFormat = String, id } = opts;
  const M = { l: 46, r: 10, t: 10, b: 22 };
  const W = Math.max(200, Math.floor(width));
  const pw = W - M.l - M.r, ph = height - M.t - M.b;
  const n = buckets.length;
  const val = (sr, b) => (sr.value ? sr.value(b) : b[sr.key]);
  let max = 0;
  for (const b of buckets) {
    if (type === 'bar') max = Math.max(max, series.reduce((a, sr) => a + (val(sr, b) || 0), 0));
    else for (const sr of series) max = Math.max(max, val(sr, b) || 0);
  }
  max = niceMax(max);
  const y = (v) => M.t + ph - (v / max) * ph;
  const bw = n ? pw / n : pw;

  const svg = s('svg', { class: 'chart', width: W, height, viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': opts.label || '', id });
  // grid and y labels
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const yy = Math.round(y(v)) + 0.5;
    svg.append(s('line', { class: 'grid', x1: M.l, x2: W - M.r, y1: yy, y2: yy }));
    svg.append(s('text', { class: 'axis', x: M.l - 6, y: yy + 3, 'text-anchor': 'end' }, yFormat(v)));
  }
  // x labels on round local times
  if (n) {
    const span = n * bucketSeconds;
    const maxLabels = Math.max(2, Math.floor(pw / 70));
    const step = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]
      .find((x) => x >= bucketSeconds && span / x <= maxLabels) || 604800;
    const tz = new Date().getTimezoneOffset() * 60;
    buckets.forEach((b, i) => {
      const t = Date.parse(b.t) / 1000 - tz;
      if (((t % step) + step) % step !== 0) return;
      const x = M.l + i * bw + bw / 2;
      svg.append(s('line', { class: 'tick', x1: x, x2: x, y1: M.t + ph, y2: M.t + ph + 3 }));
      svg.append(s('text', { class: 'axis', x, y: height - 6, 'text-anchor': 'middle' }, timeLabel(new Date(b.t), step)));
    });
  }
  // data
  const g = s('g', { class: 'data' });
  if (type === 'bar') {
    const gap = bw > 6 ? Math.min(2, bw * 0.2) : 0;
    buckets.forEach((b, i) => {
      let acc = 0;
      for (const sr of series) {
        const v = val(sr, b) || 0;
        if (v <= 0) continue;
        const y0 = y(acc), y1 = y(acc + v);
        acc += v;
        g.append(s('rect', { class: 'bar ' + sr.cls, x: (M.l + i * bw + gap / 2).toFixed(2), y: y1.toFixed(2), width: Math.max(0.5, bw - gap).toFixed(2), height: Math.max(0.5, y0 - y1).toFixed(2) }));
      }
    });
  } else {
    for (const sr of series) {
      let d = '', area = '', run = [];
      const flush = () => {
        if (!run.length) return;
        d += run.map(([x, yy], k) => `${k ? 'L' : 'M'}${x.toFixed(1)},${yy.toFixed(1)}`).join('');
        area += `M${run[0][0].toFixed(1)},${y(0)}` + run.map(([x, yy]) => `L${x.toFixed(1)},${yy.toFixed(1)}`).join('') + `L${run[run.length - 1][0].toFixed(1)},${y(0)}Z`;
        if (run.length === 1 || bw >= 6) for (const [x, yy] of run) g.append(s('circle', { class: 'dot ' + sr.cls, cx: x.toFixed(1), cy: yy.toFixed(1), r: run.length === 1 ? 2.5 : 1.8 }));
        run = [];
      };
      buckets.forEach((b, i) => {
        const v = val(sr, b);
        if (v == null) { flush(); return; }
        run.push([M.l + i * bw + bw / 2, y(v)]);
      });
      flush();
      if (area) g.insertBefore(s('path', { class: 'area ' + sr.cls, d: area }), g.firstChild);
      if (d) g.insertBefore(s('path', { class: 'line ' + sr.cls, d }), g.firstChild && g.firstChild.nextSibling);
    }
  }
  svg.append(g);
  const guide = s('line', { class: 'guide', x1: 0, x2: 0, y1: M.t, y2: M.t + ph, visibility: 'hidden' });
  svg.append(guide);

  // hover readout
  const tip = h('div', { class: 'chart-tip', hidden: true });
  const wrap = h('div', { class: 'chart-wrap' }, svg, tip);
  svg.addEventListener('mousemove', (e) => {
    const rect = svg.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * W;
    const i = Math.floor((x - M.l) / bw);
    if (i < 0 || i >= n) { tip.hidden = true; guide.setAttribute('visibility', 'hidden'); return; }
    const b = buckets[i];
    const gx = M.l + i * bw + bw / 2;
    guide.setAttribute('x1', gx); guide.setAttribute('x2', gx); guide.setAttribute('visibility', 'visible');
    tip.replaceChildren(h('div', { class: 'tip-time' }, fullLabel(new Date(b.t), bucketSeconds)),
      ...series.map((sr) => h('div', { class: 'tip-row' }, h('span', { class: 'swatch ' + sr.cls }), sr.label + ' ', h('b', { class: 'mono' }, val(sr, b) == null ? '—' : yFormat(val(sr, b), true)))));
    tip.hidden = false;
    const px = (gx / W) * rect.width;
    tip.style.left = Math.min(rect.width - 170, Math.max(0, px + 12)) + 'px';
  });
  svg.addEventListener('mouseleave', () => { tip.hidden = true; guide.setAttribute('visibility', 'hidden'); });
  return wrap;
}

/** A legend: swatches with labels. */
export function legend(series) {
  return h('span', { class: 'legend' }, series.map((sr) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch ' + sr.cls }), sr.label)));
}

/** Horizontal bars: items [{label, value, note}] sorted by the caller. */
export function hbarChart(items, { width = 500, format = String, cls = 's-cost', id } = {}) {
  const row = 26;
  const W = Math.max(240, Math.floor(width));
  const labelW = Math.min(220, Math.floor(W * 0.38));
  const valueW = 78;
  const height = Math.max(row, items.length * row) + 4;
  const max = Math.max(...items.map((i) => i.value || 0), 0) || 1;
  const svg = s('svg', { class: 'chart hbar', width: W, height, viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': 'cost by model', id });
  items.forEach((it, k) => {
    const y0 = k * row + 2;
    const bwid = Math.max(it.value > 0 ? 2 : 0, ((W - labelW - valueW - 12) * (it.value || 0)) / max);
    const label = it.label.length > 34 ? it.label.slice(0, 33) + '…' : it.label;
    svg.append(s('g', { class: 'hrow' },
      s('title', null, `${it.label}: ${format(it.value)}${it.note ? ' · ' + it.note : ''}`),
      s('text', { class: 'hlabel', x: labelW - 8, y: y0 + row / 2 + 2, 'text-anchor': 'end' }, label),
      s('rect', { class: 'hbar-track', x: labelW, y: y0 + 5, width: W - labelW - valueW - 12, height: row - 12, rx: 3 }),
      s('rect', { class: 'bar ' + cls, x: labelW, y: y0 + 5, width: bwid.toFixed(1), height: row - 12, rx: 3 }),
      s('text', { class: 'hvalue', x: W - 4, y: y0 + row / 2 + 2, 'text-anchor': 'end' }, format(it.value)),
    ));
  });
  return svg;
}
